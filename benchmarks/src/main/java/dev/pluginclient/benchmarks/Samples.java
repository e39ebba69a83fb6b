package dev.pluginclient.benchmarks;

import java.util.Arrays;

/** Nearest-rank percentiles of measured durations, the same definition go-host uses. */
final class Samples {

    private Samples() {
    }

    /** Returns the nearest-rank {@code percent} percentile of {@code values}; sorts a copy. */
    static double percentile(long[] values, int percent) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no samples to take a percentile of");
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = Math.max(1, (percent * sorted.length + 99) / 100);
        return sorted[rank - 1];
    }

    static double median(long[] values) {
        return percentile(values, 50);
    }
}
