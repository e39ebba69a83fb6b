package dev.pluginclient.benchmarks;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * One measured metric: our value and the peer's value in the same unit.
 *
 * @param name the metric name, such as {@code call_overhead}
 * @param ours the value measured for this library
 * @param peer the value of the baseline it is compared with
 * @param unit the unit of both values, such as {@code us}
 */
record MetricResult(String name, double ours, double peer, String unit) {

    MetricResult {
        if (!Double.isFinite(ours) || !Double.isFinite(peer) || peer <= 0) {
            throw new IllegalArgumentException("metric " + name + " has invalid values: ours=" + ours + ", peer="
                    + peer + " (both must be finite, and peer positive)");
        }
    }

    double ratio() {
        return ours / peer;
    }

    /** Formats the summary line {@code metric=<name> ours=<value><unit> peer=<value><unit> ratio=<ours/peer>}. */
    String summaryLine() {
        return "metric=" + name + " ours=" + format(ours) + unit + " peer=" + format(peer) + unit + " ratio="
                + format(ratio());
    }

    /** Rounds to three significant digits, but never drops integer digits: 58.01 prints as 58.0, 12345.6 as 12346. */
    static String format(double value) {
        BigDecimal decimal = BigDecimal.valueOf(value);
        if (Math.abs(value) >= 100) {
            return decimal.setScale(0, RoundingMode.HALF_UP).toPlainString();
        }
        if (value == 0) {
            return "0";
        }
        int scale = 2 - (int) Math.floor(Math.log10(Math.abs(value)));
        return decimal.setScale(scale, RoundingMode.HALF_UP).toPlainString();
    }
}
