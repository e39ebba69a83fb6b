package dev.pluginclient.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pluginclient.HandshakeConfig;
import dev.pluginclient.PluginConfig;
import dev.pluginclient.PluginConnection;
import dev.pluginclient.PluginLauncher;
import dev.pluginclient.PluginTransportException;
import dev.pluginclient.ReattachConfig;
import dev.pluginclient.calculator.v1.BinaryRequest;
import dev.pluginclient.calculator.v1.CalculatorGrpc;
import dev.pluginclient.calculator.v1.Number;
import dev.pluginclient.calculator.v1.Result;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Our host against plugins built with the reference go-plugin library (Go) and against a Python plugin. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JavaHostInteropTest {

    @Test
    void goPluginOverUnixSocket() {
        try (PluginConnection connection = PluginLauncher.connect(config(Peers.get().goCalculatorPlugin(), false))) {
            assertThat(connection.transport()).isEqualTo("unix");
            assertThat(connection.protocolVersion()).isEqualTo(1);
            assertCalculatorWorks(connection);
        }
    }

    @Test
    void goPluginWithAutoMtls() {
        try (PluginConnection connection = PluginLauncher.connect(config(Peers.get().goCalculatorPlugin(), true))) {
            assertThat(connection.transport()).isEqualTo("unix+mtls");
            assertCalculatorWorks(connection);
        }
    }

    @Test
    void goPluginStopsWithShutdownAndExitsZero() {
        PluginConnection connection = PluginLauncher.connect(config(Peers.get().goCalculatorPlugin(), false));
        long pid = connection.pid();

        connection.stop();

        PluginConnection.PluginExit exit = connection.onExit().join();
        assertThat(exit.pid()).isEqualTo(pid);
        assertThat(exit.expected()).isTrue();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void goPluginDivisionByZeroIsInvalidArgument() {
        try (PluginConnection connection = PluginLauncher.connect(config(Peers.get().goCalculatorPlugin(), false))) {
            StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
                    () -> CalculatorGrpc.newBlockingStub(connection.channel())
                            .divide(BinaryRequest.newBuilder().setA(1).setB(0).build()));
            assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        }
    }

    @Test
    void pythonPluginOverTcp() {
        try (PluginConnection connection = PluginLauncher.connect(config(Peers.get().pythonCalculatorPlugin(), false))) {
            assertThat(connection.transport()).isEqualTo("tcp");
            assertThat(connection.address()).startsWith("127.0.0.1:");
            assertCalculatorWorks(connection);
        }
    }

    @Test
    void javaPluginOverUnixSocket() {
        try (PluginConnection connection = PluginLauncher.connect(javaPluginConfig("unix", false))) {
            assertThat(connection.transport()).isEqualTo("unix");
            assertCalculatorWorks(connection);
        }
    }

    @Test
    void javaPluginOverTcpWithAutoMtls() {
        try (PluginConnection connection = PluginLauncher.connect(javaPluginConfig("tcp", true))) {
            assertThat(connection.transport()).isEqualTo("tcp+mtls");
            assertThat(connection.address()).startsWith("127.0.0.1:");
            assertCalculatorWorks(connection);
        }
    }

    @Test
    void reattachToRunningGoPlugin() {
        try (PluginConnection started = PluginLauncher.connect(config(Peers.get().goCalculatorPlugin(), false))) {
            PluginConfig reattach = PluginConfig.builder("go-calculator-reattached")
                    .reattach(ReattachConfig.of("unix", started.address()).withPid(started.pid()))
                    .build();

            PluginConnection attached = PluginLauncher.connect(reattach);
            assertThat(attached.pid()).isEqualTo(started.pid());
            assertCalculatorWorks(attached);

            attached.stop();
            assertThat(started.isAlive()).as("stopping a reattached client leaves the process running").isTrue();
            assertCalculatorWorks(started);
        }
    }

    @Test
    void reattachToMissingSocketFails() {
        PluginConfig reattach = PluginConfig.builder("nothing-there")
                .reattach(ReattachConfig.of("unix", "/tmp/no-such-plugin-socket"))
                .build();

        PluginTransportException failure = catchThrowableOfType(PluginTransportException.class,
                () -> PluginLauncher.connect(reattach));

        assertThat(failure.getMessage()).contains("/tmp/no-such-plugin-socket");
    }

    /**
     * Prints the median start-to-first-call time over 20 starts of the Go plugin, with and without
     * AutoMTLS. A measurement, not an assertion: benchmarks own the numbers.
     */
    @Test
    void startToFirstCallTimes() {
        for (boolean autoMtls : new boolean[] {false, true}) {
            List<Long> micros = new ArrayList<>();
            for (int run = 0; run < 20; run++) {
                long began = System.nanoTime();
                try (PluginConnection connection = PluginLauncher.connect(
                        config(Peers.get().goCalculatorPlugin(), autoMtls))) {
                    CalculatorGrpc.newBlockingStub(connection.channel())
                            .add(BinaryRequest.newBuilder().setA(1).setB(2).build());
                    micros.add(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - began));
                }
            }
            Collections.sort(micros);
            System.out.printf("start-to-first-call go-calculator-plugin autoMtls=%s median=%.1f ms min=%.1f ms max=%.1f ms%n",
                    autoMtls, micros.get(10) / 1000.0, micros.get(0) / 1000.0, micros.get(19) / 1000.0);
        }
    }

    private static void assertCalculatorWorks(PluginConnection connection) {
        CalculatorGrpc.CalculatorBlockingStub calculator = CalculatorGrpc.newBlockingStub(connection.channel())
                .withDeadlineAfter(10, TimeUnit.SECONDS);
        assertThat(calculator.add(BinaryRequest.newBuilder().setA(5).setB(3).build()).getValue()).isEqualTo(8);
        assertThat(calculator.multiply(BinaryRequest.newBuilder().setA(6).setB(7).build()).getValue()).isEqualTo(42);
        assertThat(runningSum(connection, 1, 2, 3, 4)).containsExactly(1L, 3L, 6L, 10L);
    }

    private static List<Long> runningSum(PluginConnection connection, long... numbers) {
        List<Long> sums = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(1);
        StreamObserver<Number> requests = CalculatorGrpc.newStub(connection.channel())
                .runningSum(new StreamObserver<Result>() {
                    @Override
                    public void onNext(Result result) {
                        sums.add(result.getValue());
                    }

                    @Override
                    public void onError(Throwable failure) {
                        done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        done.countDown();
                    }
                });
        for (long number : numbers) {
            requests.onNext(Number.newBuilder().setValue(number).build());
        }
        requests.onCompleted();
        try {
            assertThat(done.await(10, TimeUnit.SECONDS)).as("RunningSum completed").isTrue();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        return sums;
    }

    private static PluginConfig javaPluginConfig(String transport, boolean autoMtls) {
        return PluginConfig.builder("java-calculator")
                .command(Peers.get().javaCalculatorPluginCommand())
                .environment("CALCULATOR_TRANSPORT", transport)
                .handshake(HandshakeConfig.of(Peers.COOKIE_KEY, Peers.COOKIE_VALUE, 1))
                .autoMtls(autoMtls)
                .startTimeout(Duration.ofSeconds(60))
                .build();
    }

    private static PluginConfig config(Path plugin, boolean autoMtls) {
        return PluginConfig.builder("calculator")
                .command(List.of(plugin.toString()))
                .handshake(HandshakeConfig.of(Peers.COOKIE_KEY, Peers.COOKIE_VALUE, 1))
                .autoMtls(autoMtls)
                .startTimeout(Duration.ofSeconds(30))
                .build();
    }
}
