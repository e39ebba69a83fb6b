package dev.pluginclient.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DriverOptionsTest {

    @Test
    void quickRunWithSubsetOfMetrics() {
        DriverOptions options = DriverOptions.parse(new String[] {"--go-plugin", "peers/plugin", "--go-host",
                "peers/host", "--quick", "--only", "call_overhead,threads_per_plugin"});

        assertThat(options.goPlugin()).isEqualTo(Path.of("peers/plugin").toAbsolutePath());
        assertThat(options.profile()).isEqualTo(DriverOptions.Profile.QUICK);
        assertThat(options.runs("call_overhead")).isTrue();
        assertThat(options.runs("threads_per_plugin")).isTrue();
        assertThat(options.runs("latency_vs_go_host")).isFalse();
    }

    @Test
    void everyMetricRunsByDefault() {
        DriverOptions options = DriverOptions.parse(new String[] {"--go-plugin", "p", "--go-host", "h"});

        assertThat(options.profile()).isEqualTo(DriverOptions.Profile.FULL);
        assertThat(BenchmarkDriver.METRICS).allMatch(options::runs);
    }

    @Test
    void unknownMetricIsRejected() {
        assertThatThrownBy(() -> DriverOptions.parse(new String[] {"--go-plugin", "p", "--go-host", "h", "--only",
                "latency"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown metric 'latency'")
                .hasMessageContaining("latency_vs_go_host");
    }

    @Test
    void missingPeerIsRejected() {
        assertThatThrownBy(() -> DriverOptions.parse(new String[] {"--go-plugin", "p"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("missing --go-host");
    }
}
