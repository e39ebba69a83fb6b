package dev.pluginclient.server;

import dev.pluginclient.calculator.v1.BinaryRequest;
import dev.pluginclient.calculator.v1.CalculatorGrpc;
import dev.pluginclient.calculator.v1.FaultInjectionGrpc;
import dev.pluginclient.calculator.v1.FaultReply;
import dev.pluginclient.calculator.v1.FloodRequest;
import dev.pluginclient.calculator.v1.Result;
import dev.pluginclient.server.log.PluginLogger;
import io.grpc.stub.StreamObserver;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * A small plugin that the tests start as a child process. It serves Calculator.Add and
 * FaultInjection.Flood on every protocol version listed in TEST_PLUGIN_VERSIONS (default "1").
 */
public final class TestPlugin {

    static final String COOKIE_KEY = "TEST_PLUGIN_COOKIE";
    static final String COOKIE_VALUE = "test-plugin-cookie-5a1e";

    private static final PluginLogger LOG = GoPluginServer.logger("test-plugin");

    private TestPlugin() {
    }

    public static void main(String[] args) {
        GoPluginServer.Builder builder = GoPluginServer.builder().magicCookie(COOKIE_KEY, COOKIE_VALUE);
        String versions = System.getenv().getOrDefault("TEST_PLUGIN_VERSIONS", "1");
        Arrays.stream(versions.split(",")).map(String::trim).mapToInt(Integer::parseInt)
                .forEach(version -> builder.version(version, new Adder(), new Flooder()));
        if ("tcp".equals(System.getenv("TEST_PLUGIN_TRANSPORT"))) {
            builder.transport(Transport.TCP);
        }
        builder.build().serve(running -> LOG.info("test plugin started", "version", running.protocolVersion()));
    }

    static final class Adder extends CalculatorGrpc.CalculatorImplBase {
        @Override
        public void add(BinaryRequest request, StreamObserver<Result> responseObserver) {
            responseObserver.onNext(Result.newBuilder().setValue(request.getA() + request.getB()).build());
            responseObserver.onCompleted();
        }
    }

    static final class Flooder extends FaultInjectionGrpc.FaultInjectionImplBase {
        @Override
        public void flood(FloodRequest request, StreamObserver<FaultReply> responseObserver) {
            PrintStream target = request.getStream() == FloodRequest.Stream.STDERR ? System.err : System.out;
            byte[] line = new byte[100];
            Arrays.fill(line, (byte) 'x');
            line[line.length - 1] = '\n';
            for (long written = 0; written < request.getBytes(); written += line.length) {
                target.write(line, 0, (int) Math.min(line.length, request.getBytes() - written));
            }
            target.flush();
            responseObserver.onNext(FaultReply.getDefaultInstance());
            responseObserver.onCompleted();
        }
    }
}
