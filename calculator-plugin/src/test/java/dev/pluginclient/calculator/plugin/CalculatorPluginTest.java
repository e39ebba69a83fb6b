package dev.pluginclient.calculator.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pluginclient.calculator.v1.BinaryRequest;
import dev.pluginclient.calculator.v1.CalculatorGrpc;
import dev.pluginclient.calculator.v1.FailNextRequest;
import dev.pluginclient.calculator.v1.FaultInjectionGrpc;
import dev.pluginclient.calculator.v1.FloodRequest;
import dev.pluginclient.calculator.v1.HangRequest;
import dev.pluginclient.calculator.v1.InfoReply;
import dev.pluginclient.calculator.v1.InfoRequest;
import dev.pluginclient.calculator.v1.Number;
import dev.pluginclient.calculator.v1.ResetRequest;
import dev.pluginclient.calculator.v1.Result;
import dev.pluginclient.calculator.v1.SlowRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Calls one calculator plugin process; fault switches are reset after each test. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CalculatorPluginTest {

    private Path socketDir;
    private CalculatorProcess plugin;
    private ManagedChannel channel;

    @BeforeAll
    void startPlugin() throws Exception {
        socketDir = Files.createTempDirectory("calculator-test");
        plugin = CalculatorProcess.start(socketDir, Map.of());
        channel = plugin.connect();
    }

    @AfterAll
    void stopPlugin() throws Exception {
        plugin.close();
        // A killed plugin leaves its socket file behind.
        try (var leftovers = Files.list(socketDir)) {
            for (Path leftover : leftovers.toList()) {
                Files.deleteIfExists(leftover);
            }
        }
        Files.deleteIfExists(socketDir);
    }

    @AfterEach
    void resetFaults() {
        faults().reset(ResetRequest.getDefaultInstance());
    }

    @Test
    void arithmeticOperations() {
        assertThat(calculator().add(request(2, 3)).getValue()).isEqualTo(5);
        assertThat(calculator().subtract(request(2, 3)).getValue()).isEqualTo(-1);
        assertThat(calculator().multiply(request(-4, 3)).getValue()).isEqualTo(-12);
        assertThat(calculator().divide(request(7, 2)).getValue()).isEqualTo(3.5);
    }

    @Test
    void divisionByZeroIsInvalidArgument() {
        assertThatThrownBy(() -> calculator().divide(request(1, 0)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).isEqualTo("division by zero: b must not be 0");
                });
    }

    @Test
    void runningSumStreamsTotals() throws Exception {
        List<Long> totals = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        StreamObserver<Number> numbers = CalculatorGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .runningSum(new StreamObserver<>() {
                    @Override
                    public void onNext(Result result) {
                        totals.add(result.getValue());
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        done.countDown();
                    }
                });
        for (long value : new long[] {1, 2, 3, 10}) {
            numbers.onNext(Number.newBuilder().setValue(value).build());
        }
        numbers.onCompleted();

        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(totals).containsExactly(1L, 3L, 6L, 16L);
    }

    @Test
    void failNextFailsExactlyThatManyCalls() {
        faults().failNext(FailNextRequest.newBuilder().setCount(2).build());

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> calculator().add(request(1, 1)))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        }
        assertThat(calculator().add(request(1, 1)).getValue()).isEqualTo(2);
    }

    @Test
    void slowDelaysCalculatorCallsOnly() {
        faults().slow(SlowRequest.newBuilder().setDelayMillis(3000).build());

        assertThatThrownBy(() -> CalculatorGrpc.newBlockingStub(channel).withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                .add(request(1, 1)))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        assertThat(health()).isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void hangCallsKeepsHealthServing() {
        faults().hang(HangRequest.newBuilder().setScope(HangRequest.Scope.CALLS).build());

        assertThatThrownBy(() -> CalculatorGrpc.newBlockingStub(channel).withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                .add(request(1, 1)))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        assertThat(health()).isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void hangAllParksHealthChecksUntilReset() {
        faults().hang(HangRequest.newBuilder().setScope(HangRequest.Scope.ALL).build());

        assertThatThrownBy(() -> HealthGrpc.newBlockingStub(channel).withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                .check(HealthCheckRequest.newBuilder().setService("plugin").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

        faults().reset(ResetRequest.getDefaultInstance());
        assertThat(health()).isEqualTo(ServingStatus.SERVING);
        assertThat(calculator().add(request(2, 2)).getValue()).isEqualTo(4);
    }

    @Test
    void floodDoesNotBlockCalls() {
        FaultInjectionGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .flood(FloodRequest.newBuilder().setStream(FloodRequest.Stream.STDOUT).setBytes(10L * 1024 * 1024)
                        .setSingleLine(true).build());

        assertThat(calculator().add(request(20, 22)).getValue()).isEqualTo(42);
        assertThat(plugin.process().isAlive()).isTrue();
    }

    @Test
    void infoReportsProcessAndStartup() {
        InfoReply info = faults().info(InfoRequest.getDefaultInstance());

        assertThat(info.getPid()).isEqualTo(plugin.process().pid());
        assertThat(info.getImplementation()).isEqualTo("java");
        assertThat(info.getProtocolVersion()).isEqualTo(1);
        assertThat(info.getStartToHandshakeMillis()).isPositive();
    }

    private CalculatorGrpc.CalculatorBlockingStub calculator() {
        return CalculatorGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private FaultInjectionGrpc.FaultInjectionBlockingStub faults() {
        return FaultInjectionGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private ServingStatus health() {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService("plugin").build())
                .getStatus();
    }

    private static BinaryRequest request(long a, long b) {
        return BinaryRequest.newBuilder().setA(a).setB(b).build();
    }
}
