package dev.pluginclient.benchmarks;

/**
 * Context lines: details behind a metric, on stderr, so that stdout carries only the summary lines.
 */
final class Context {

    private Context() {
    }

    static void print(String format, Object... arguments) {
        System.err.println("  " + String.format(format, arguments));
        System.err.flush();
    }
}
