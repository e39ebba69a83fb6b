package dev.pluginclient.interop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.pluginclient.calculator.v1.BinaryRequest;
import dev.pluginclient.calculator.v1.CalculatorGrpc;
import dev.pluginclient.calculator.v1.CrashRequest;
import dev.pluginclient.calculator.v1.FailNextRequest;
import dev.pluginclient.calculator.v1.FaultInjectionGrpc;
import dev.pluginclient.calculator.v1.InfoReply;
import dev.pluginclient.calculator.v1.InfoRequest;
import dev.pluginclient.calculator.v1.Number;
import dev.pluginclient.calculator.v1.ResetRequest;
import dev.pluginclient.calculator.v1.Result;
import dev.pluginclient.calculator.v1.SlowRequest;
import dev.pluginclient.protocol.Empty;
import dev.pluginclient.protocol.GRPCControllerGrpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Starts the Go and Python calculator plugins directly, reads their handshake lines and calls them
 * with plain grpc-java channels, so that these peers are known to be correct before hosts are tested
 * against them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeerCalculatorPluginTest {

    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(20);

    private static List<String> command(String implementation) {
        Peers peers = Peers.get();
        return switch (implementation) {
            case "go" -> List.of(peers.goCalculatorPlugin().toString());
            case "python" -> List.of(peers.pythonCalculatorPlugin().toString());
            default -> throw new IllegalArgumentException("Unknown implementation " + implementation);
        };
    }

    private static PluginProcess start(String implementation) throws Exception {
        return PluginProcess.start(command(implementation), Map.of(), HANDSHAKE_TIMEOUT);
    }

    @Test
    void goPluginHandshakeAdvertisesUnixSocket() throws Exception {
        try (PluginProcess plugin = start("go")) {
            assertThat(plugin.handshakeFields()).hasSize(6);
            assertThat(plugin.handshakeFields().subList(0, 3)).containsExactly("1", "1", "unix");
            assertThat(plugin.handshakeFields().get(4)).isEqualTo("grpc");
            assertThat(plugin.handshakeFields().get(5)).as("certificate field without AutoMTLS").isEmpty();
        }
    }

    @Test
    void pythonPluginHandshakeAdvertisesLoopbackTcp() throws Exception {
        try (PluginProcess plugin = start("python")) {
            assertThat(plugin.handshakeLine()).matches("1\\|1\\|tcp\\|127\\.0\\.0\\.1:\\d+\\|grpc\\|");
            int port = Integer.parseInt(plugin.address().substring("127.0.0.1:".length()));
            assertThat(port).isBetween(10000, 25000);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"go", "python"})
    void calculatorReturnsResults(String implementation) throws Exception {
        try (PluginProcess plugin = start(implementation)) {
            CalculatorGrpc.CalculatorBlockingStub calculator = calculator(plugin.openPlainChannel());

            assertThat(calculator.add(request(5, 3)).getValue()).isEqualTo(8);
            assertThat(calculator.subtract(request(5, 3)).getValue()).isEqualTo(2);
            assertThat(calculator.multiply(request(-4, 3)).getValue()).isEqualTo(-12);
            assertThat(calculator.divide(request(7, 2)).getValue()).isEqualTo(3.5);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"go", "python"})
    void divideByZeroIsInvalidArgument(String implementation) throws Exception {
        try (PluginProcess plugin = start(implementation)) {
            CalculatorGrpc.CalculatorBlockingStub calculator = calculator(plugin.openPlainChannel());

            assertThatThrownBy(() -> calculator.divide(request(1, 0)))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, ex -> {
                        assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(ex.getStatus().getDescription()).contains("division by zero");
                    });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"go", "python"})
    void addOverflowIsOutOfRange(String implementation) throws Exception {
        try (PluginProcess plugin = start(implementation)) {
            CalculatorGrpc.CalculatorBlockingStub calculator = calculator(plugin.openPlainChannel());

            assertThatThrownBy(() -> calculator.add(request(Long.MAX_VALUE, 1)))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, ex ->
                            assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"go", "python"})
    void runningSumStreamsPartialSums(String implementation) throws Exception {
        try (PluginProcess plugin = start(implementation)) {
            CalculatorGrpc.CalculatorStub calculator = CalculatorGrpc.newStub(plugin.openPlainChannel())
                    .withDeadlineAfter(10, TimeUnit.SECONDS);
            List<Long> sums = new ArrayList<>();
            CompletableFuture<Void> done = new CompletableFuture<>();

            StreamObserver<Number> requests = calculator.runningSum(new StreamObserver<>() {
                @Override
                public void onNext(Result result) {
                    synchronized (sums) {
                        sums.add(result.getValue());
                    }
                }

                @Override
                public void onError(Throwable error) {
                    done.completeExceptionally(error);
                }

                @Override
                public void onCompleted() {
                    done.complete(null);
                }
            });
            for (long value : new long[] {1, 2, 3, 4}) {
                requests.onNext(Number.newBuilder().setValue(value).build());
            }
            requests.onCompleted();
            done.get(10, TimeUnit.SECONDS);

            synchronized (sums) {
                assertThat(sums).containsExactly(1L, 3L, 6L, 10L);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"go", "python"})
    void healthReportsPluginServing(String implementation) throws Exception {
        try (PluginProcess plugin = start(implementation)) {
            HealthCheckResponse response = HealthGrpc.newBlockingStub(plugin.openPlainChannel())
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.newBuilder().setService("plugin").build());

            assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"go", "python"})
    void controllerShutdownExitsWithZero(String implementation) throws Exception {
        try (PluginProcess plugin = start(implementation)) {
            try {
                GRPCControllerGrpc.newBlockingStub(plugin.openPlainChannel())
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .shutdown(Empty.getDefaultInstance());
            }
            catch (StatusRuntimeException ex) {
                // go-plugin's Go server stops before it replies.
                assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            }

            assertThat(plugin.awaitExit(Duration.ofSeconds(10))).as("exit status after Shutdown").contains(0);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"go", "python"})
    void infoReportsImplementationAndPid(String implementation) throws Exception {
        try (PluginProcess plugin = start(implementation)) {
            InfoReply info = faults(plugin.openPlainChannel()).info(InfoRequest.getDefaultInstance());

            assertThat(info.getImplementation()).isEqualTo(implementation);
            assertThat(info.getPid()).isEqualTo(plugin.pid());
            assertThat(info.getProtocolVersion()).isEqualTo(1);
            assertThat(info.getStartToHandshakeMillis()).isBetween(0L, HANDSHAKE_TIMEOUT.toMillis());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"go", "python"})
    void failNextFailsExactlyThatManyCalls(String implementation) throws Exception {
        try (PluginProcess plugin = start(implementation)) {
            ManagedChannel channel = plugin.openPlainChannel();
            CalculatorGrpc.CalculatorBlockingStub calculator = calculator(channel);
            faults(channel).failNext(FailNextRequest.newBuilder().setCount(2).build());

            for (int call = 1; call <= 2; call++) {
                assertThatThrownBy(() -> calculator.add(request(1, 1)))
                        .as("call %d", call)
                        .isInstanceOfSatisfying(StatusRuntimeException.class, ex ->
                                assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
            }
            assertThat(calculator.add(request(1, 1)).getValue()).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"go", "python"})
    void slowDelaysCallsUntilReset(String implementation) throws Exception {
        try (PluginProcess plugin = start(implementation)) {
            ManagedChannel channel = plugin.openPlainChannel();
            faults(channel).slow(SlowRequest.newBuilder().setDelayMillis(5_000).build());

            CalculatorGrpc.CalculatorBlockingStub shortDeadline = CalculatorGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(300, TimeUnit.MILLISECONDS);
            assertThatThrownBy(() -> shortDeadline.add(request(1, 1)))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, ex ->
                            assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

            faults(channel).reset(ResetRequest.getDefaultInstance());
            assertThat(calculator(channel).add(request(1, 1)).getValue()).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"go", "python"})
    void crashExitsWithRequestedStatus(String implementation) throws Exception {
        try (PluginProcess plugin = start(implementation)) {
            FaultInjectionGrpc.FaultInjectionBlockingStub faults = faults(plugin.openPlainChannel());

            assertThatThrownBy(() -> faults.crash(CrashRequest.newBuilder().setExitCode(7).build()))
                    .isInstanceOf(StatusRuntimeException.class);

            assertThat(plugin.awaitExit(Duration.ofSeconds(10))).as("exit status after Crash").contains(7);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"go", "python"})
    void missingCookieExitsWithOne(String implementation) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command(implementation)).redirectErrorStream(true);
        builder.environment().remove(Peers.COOKIE_KEY);
        Process process = builder.start();
        try {
            StreamCollector output = StreamCollector.start(process.getInputStream(), implementation + "-no-cookie");

            assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("plugin exited").isTrue();
            output.awaitEnd(Duration.ofSeconds(5));
            assertThat(process.exitValue()).isEqualTo(1);
            assertThat(output.text()).contains("This binary is a plugin");
        }
        finally {
            Peers.destroyWithDescendants(process);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"go", "python"})
    void stderrCarriesHclogJsonLines(String implementation) throws Exception {
        try (PluginProcess plugin = start(implementation)) {
            faults(plugin.openPlainChannel()).reset(ResetRequest.getDefaultInstance());
            List<String> lines = awaitStderrLineContaining(plugin, "reset");

            assertThat(lines).anySatisfy(line -> {
                assertThat(line).startsWith("{");
                assertThat(line).contains("\"@level\":\"info\"", "\"@message\":", "\"@timestamp\":");
            });
        }
    }

    private static List<String> awaitStderrLineContaining(PluginProcess plugin, String text)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            List<String> lines = plugin.stderr().lines();
            if (lines.stream().anyMatch(line -> line.contains(text))) {
                return lines;
            }
            Thread.sleep(50);
        }
        return plugin.stderr().lines();
    }

    private static CalculatorGrpc.CalculatorBlockingStub calculator(ManagedChannel channel) {
        return CalculatorGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static FaultInjectionGrpc.FaultInjectionBlockingStub faults(ManagedChannel channel) {
        return FaultInjectionGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static BinaryRequest request(long a, long b) {
        return BinaryRequest.newBuilder().setA(a).setB(b).build();
    }

}
