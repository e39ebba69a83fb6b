package dev.pluginclient.calculator.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pluginclient.calculator.v1.BinaryRequest;
import dev.pluginclient.calculator.v1.CalculatorGrpc;
import dev.pluginclient.calculator.v1.CrashRequest;
import dev.pluginclient.calculator.v1.FaultInjectionGrpc;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Start-up switches and crashes, one plugin process per test. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CalculatorLifecycleTest {

    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(15);

    @TempDir
    Path socketDir;

    @Test
    void crashWithoutStatusExitsWithThree() throws Exception {
        try (CalculatorProcess plugin = CalculatorProcess.start(socketDir, Map.of())) {
            ManagedChannel channel = plugin.connect();

            FaultInjectionGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .crash(CrashRequest.getDefaultInstance());

            assertThat(plugin.awaitExit(EXIT_TIMEOUT)).isEqualTo(FaultInjectionService.DEFAULT_CRASH_STATUS);
        }
    }

    @Test
    void crashOnStartExitsBeforeHandshake() throws Exception {
        try (CalculatorProcess plugin = CalculatorProcess.start(socketDir, Map.of("CALCULATOR_CRASH_ON_START", "5"))) {
            assertThat(plugin.readLine()).isNull();
            assertThat(plugin.awaitExit(EXIT_TIMEOUT)).isEqualTo(5);
            assertThat(plugin.stderr()).contains("exiting with status 5 before the handshake");
        }
    }

    @Test
    void tcpTransportSwitch() throws Exception {
        try (CalculatorProcess plugin = CalculatorProcess.start(socketDir, Map.of("CALCULATOR_TRANSPORT", "tcp"))) {
            ManagedChannel channel = plugin.connect();

            assertThat(CalculatorGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .add(BinaryRequest.newBuilder().setA(1).setB(2).build()).getValue()).isEqualTo(3);
            assertThat(channel.authority()).startsWith("127.0.0.1:");
        }
    }

    @Test
    void printBeforeHandshakeComesFirst() throws Exception {
        try (CalculatorProcess plugin = CalculatorProcess.start(socketDir,
                Map.of("CALCULATOR_PRINT_BEFORE_HANDSHAKE", "not a handshake"))) {
            assertThat(plugin.readLine()).isEqualTo("not a handshake");
            assertThat(plugin.readLine()).startsWith("1|1|unix|");
        }
    }

    @Test
    void invalidSwitchExitsWithMessage() throws Exception {
        try (CalculatorProcess plugin = CalculatorProcess.start(socketDir, Map.of("CALCULATOR_TRANSPORT", "udp"))) {
            assertThat(plugin.awaitExit(EXIT_TIMEOUT)).isEqualTo(1);
            assertThat(plugin.stderr()).contains("invalid CALCULATOR_TRANSPORT value \"udp\"; expected unix or tcp");
        }
    }
}
