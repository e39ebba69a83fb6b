package dev.pluginclient.calculator.plugin;

import dev.pluginclient.calculator.v1.CrashRequest;
import dev.pluginclient.calculator.v1.FailNextRequest;
import dev.pluginclient.calculator.v1.FaultInjectionGrpc;
import dev.pluginclient.calculator.v1.FaultReply;
import dev.pluginclient.calculator.v1.FloodRequest;
import dev.pluginclient.calculator.v1.HangRequest;
import dev.pluginclient.calculator.v1.InfoReply;
import dev.pluginclient.calculator.v1.InfoRequest;
import dev.pluginclient.calculator.v1.ResetRequest;
import dev.pluginclient.calculator.v1.SlowRequest;
import dev.pluginclient.server.RunningPlugin;
import dev.pluginclient.server.log.PluginLogger;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** calculator.v1.FaultInjection: switches that make the plugin misbehave on request. */
final class FaultInjectionService extends FaultInjectionGrpc.FaultInjectionImplBase {

    /** Exit status of Crash when the request gives 0, because the proto promises a non-zero status. */
    static final int DEFAULT_CRASH_STATUS = 3;

    // Time for the Crash reply to reach the host before the process halts.
    private static final long CRASH_DELAY_MILLIS = 50;

    private static final int FLOOD_LINE_BYTES = 100;

    private final PluginLogger log;
    private final Faults faults;
    private final Supplier<RunningPlugin> running;

    FaultInjectionService(PluginLogger log, Faults faults, Supplier<RunningPlugin> running) {
        this.log = log;
        this.faults = faults;
        this.running = running;
    }

    /**
     * Replies, then halts the JVM after 50 ms without running shutdown hooks, as a crash would: the
     * socket file stays behind. Exit status 0 in the request means {@value #DEFAULT_CRASH_STATUS}.
     */
    @Override
    public void crash(CrashRequest request, StreamObserver<FaultReply> responseObserver) {
        int status = request.getExitCode() == 0 ? DEFAULT_CRASH_STATUS : request.getExitCode();
        log.warn("crashing on request", "exit_code", status);
        reply(responseObserver);

        Thread crasher = new Thread(() -> {
            try {
                TimeUnit.MILLISECONDS.sleep(CRASH_DELAY_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Runtime.getRuntime().halt(status);
        }, "calculator-crash");
        crasher.start();
    }

    @Override
    public void hang(HangRequest request, StreamObserver<FaultReply> responseObserver) {
        log.warn("hanging on request", "scope", request.getScope().name());
        faults.hang(request.getScope());
        reply(responseObserver);
    }

    @Override
    public void slow(SlowRequest request, StreamObserver<FaultReply> responseObserver) {
        if (request.getDelayMillis() < 0) {
            responseObserver.onError(Status.INVALID_ARGUMENT
                    .withDescription("delay_millis must not be negative, got " + request.getDelayMillis())
                    .asRuntimeException());
            return;
        }
        log.info("delaying calculator calls on request", "delay_millis", request.getDelayMillis());
        faults.slow(request.getDelayMillis());
        reply(responseObserver);
    }

    @Override
    public void failNext(FailNextRequest request, StreamObserver<FaultReply> responseObserver) {
        if (request.getCount() < 0) {
            responseObserver.onError(Status.INVALID_ARGUMENT
                    .withDescription("count must not be negative, got " + request.getCount())
                    .asRuntimeException());
            return;
        }
        log.info("failing the next calculator calls on request", "count", request.getCount());
        faults.failNext(request.getCount());
        reply(responseObserver);
    }

    /**
     * Writes the requested number of bytes of 'x' to System.out or System.err: lines of 100 bytes
     * ending in a line break, or one line without a line break when single_line is set.
     */
    @Override
    public void flood(FloodRequest request, StreamObserver<FaultReply> responseObserver) {
        if (request.getBytes() < 0) {
            responseObserver.onError(Status.INVALID_ARGUMENT
                    .withDescription("bytes must not be negative, got " + request.getBytes())
                    .asRuntimeException());
            return;
        }
        PrintStream target = request.getStream() == FloodRequest.Stream.STDERR ? System.err : System.out;
        byte[] block = new byte[request.getSingleLine() ? 8192 : FLOOD_LINE_BYTES];
        Arrays.fill(block, (byte) 'x');
        if (!request.getSingleLine()) {
            block[block.length - 1] = '\n';
        }
        for (long written = 0; written < request.getBytes(); written += block.length) {
            target.write(block, 0, (int) Math.min(block.length, request.getBytes() - written));
        }
        target.flush();
        reply(responseObserver);
    }

    @Override
    public void reset(ResetRequest request, StreamObserver<FaultReply> responseObserver) {
        faults.reset();
        log.info("fault switches reset");
        reply(responseObserver);
    }

    @Override
    public void info(InfoRequest request, StreamObserver<InfoReply> responseObserver) {
        RunningPlugin plugin = running.get();
        // Read here and not at start: loading java.management costs start-up time.
        long jvmStartMillis = ManagementFactory.getRuntimeMXBean().getStartTime();
        long startToHandshake = plugin == null || plugin.handshakeTime() == null
                ? -1
                : plugin.handshakeTime().toEpochMilli() - jvmStartMillis;
        responseObserver.onNext(InfoReply.newBuilder()
                .setPid(ProcessHandle.current().pid())
                .setStartToHandshakeMillis(startToHandshake)
                .setProtocolVersion(plugin == null ? 0 : plugin.protocolVersion())
                .setImplementation("java")
                .build());
        responseObserver.onCompleted();
    }

    private static void reply(StreamObserver<FaultReply> responseObserver) {
        responseObserver.onNext(FaultReply.getDefaultInstance());
        responseObserver.onCompleted();
    }
}
