package dev.pluginclient.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MetricResultTest {

    @Test
    void summaryLineHasFixedForm() {
        MetricResult result = new MetricResult("call_overhead", 61.234, 58.01, "us");

        assertThat(result.summaryLine()).isEqualTo("metric=call_overhead ours=61.2us peer=58.0us ratio=1.06");
    }

    @Test
    void largeValuesKeepIntegerDigits() {
        MetricResult result = new MetricResult("throughput_vs_go_host", 12345.6, 23456.4, "calls/s");

        assertThat(result.summaryLine())
                .isEqualTo("metric=throughput_vs_go_host ours=12346calls/s peer=23456calls/s ratio=0.526");
    }

    @Test
    void smallValuesKeepThreeSignificantDigits() {
        assertThat(MetricResult.format(0.0123456)).isEqualTo("0.0123");
        assertThat(MetricResult.format(3.0)).isEqualTo("3.00");
        assertThat(MetricResult.format(0.5)).isEqualTo("0.500");
        assertThat(MetricResult.format(31755.4)).isEqualTo("31755");
    }

    @Test
    void nonPositivePeerIsRejected() {
        assertThatThrownBy(() -> new MetricResult("threads_per_plugin", 3, 0, "threads"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threads_per_plugin");
    }
}
