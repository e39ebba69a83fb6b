package dev.pluginclient.interop;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the go-plugin 1.0.1 Go host against the Go and Python calculator plugins: a smoke run with
 * and without AutoMTLS, and short runs of each benchmark mode to check their output.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GoHostTest {

    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    private static List<String> pluginCommand(String implementation) {
        Peers peers = Peers.get();
        return switch (implementation) {
            case "go" -> List.of(peers.goCalculatorPlugin().toString());
            case "python" -> List.of(peers.pythonCalculatorPlugin().toString());
            default -> throw new IllegalArgumentException("Unknown implementation " + implementation);
        };
    }

    @ParameterizedTest(name = "{0} plugin, automtls={1}")
    @CsvSource({"go, false", "go, true", "python, false", "python, true"})
    void smokeCallsAddAndStopsPlugin(String implementation, boolean autoMtls) throws Exception {
        List<String> flags = autoMtls ? List.of("-automtls") : List.of();

        GoHost.Run run = GoHost.fromPeers().run("smoke", flags, pluginCommand(implementation), RUN_TIMEOUT);

        GoHostAssertions.assertSmokeSucceeded(run, autoMtls);
    }

    @Test
    void startBenchReportsMedian() throws Exception {
        GoHost.Run run = GoHost.fromPeers().run("start-bench", List.of("-n", "3"), pluginCommand("go"), RUN_TIMEOUT);

        assertThat(run.exitCode()).as(run.describe()).isZero();
        Map<String, Double> metrics = run.metrics();
        assertThat(metrics).as(run.describe())
                .containsKeys("start_to_first_call_median", "start_to_first_call_min", "start_to_first_call_max")
                .containsEntry("starts", 3.0);
        assertThat(metrics.get("start_to_first_call_median")).isPositive();
        assertThat(run.stdoutLines()).allMatch(line -> line.matches("result metric=\\w+ value=[0-9.]+ unit=\\S+"));
    }

    @Test
    void latencyReportsPercentiles() throws Exception {
        GoHost.Run run = GoHost.fromPeers().run("latency", List.of("-n", "200", "-warmup", "20"),
                pluginCommand("go"), RUN_TIMEOUT);

        assertThat(run.exitCode()).as(run.describe()).isZero();
        Map<String, Double> metrics = run.metrics();
        assertThat(metrics).as(run.describe())
                .containsKeys("add_latency_p50", "add_latency_p90", "add_latency_p99", "add_latency_max",
                        "add_latency_mean")
                .containsEntry("calls", 200.0);
        assertThat(metrics.get("add_latency_p50")).isPositive().isLessThanOrEqualTo(metrics.get("add_latency_p99"));
    }

    @Test
    void throughputReportsCallsPerSecond() throws Exception {
        GoHost.Run run = GoHost.fromPeers().run("throughput", List.of("-c", "16", "-d", "1s"),
                pluginCommand("go"), RUN_TIMEOUT);

        assertThat(run.exitCode()).as(run.describe()).isZero();
        Map<String, Double> metrics = run.metrics();
        assertThat(metrics).as(run.describe())
                .containsEntry("errors", 0.0)
                .containsEntry("concurrency", 16.0);
        assertThat(metrics.get("add_throughput")).isPositive();
        assertThat(metrics.get("calls")).isPositive();
    }

    @Test
    void wrongCookieFailsStart() throws Exception {
        GoHost.Run run = GoHost.fromPeers().run("smoke", List.of("-cookie-value", "not-the-cookie"),
                pluginCommand("go"), RUN_TIMEOUT);

        assertThat(run.exitCode()).as(run.describe()).isEqualTo(1);
        assertThat(run.stderr()).contains("smoke failed: starting plugin");
        assertThat(run.record("result")).as(run.describe()).isEmpty();
    }

}
