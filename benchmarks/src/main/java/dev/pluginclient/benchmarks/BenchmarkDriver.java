package dev.pluginclient.benchmarks;

import dev.pluginclient.PluginConnection;
import dev.pluginclient.PluginLauncher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Measures every metric side by side with its peer and prints one summary line per metric on stdout:
 * {@code metric=<name> ours=<value><unit> peer=<value><unit> ratio=<ours/peer>}. Details go to stderr.
 *
 * <p>Exits with status 1 when a metric could not be measured (the reason is on stderr), 2 on a usage
 * error. {@code scripts/bench.sh} builds what it needs and runs this class.
 */
public final class BenchmarkDriver {

    static final List<String> METRICS = List.of("call_overhead", "open_circuit_rejection", "latency_vs_go_host",
            "throughput_vs_go_host", "start_vs_go_host", "recovery_after_kill", "idle_memory_per_plugin",
            "threads_per_plugin");

    private BenchmarkDriver() {
    }

    public static void main(String[] args) throws IOException {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.printf(DriverOptions.USAGE, String.join(", ", METRICS));
            return;
        }
        DriverOptions options;
        try {
            options = DriverOptions.parse(args);
        } catch (IllegalArgumentException invalid) {
            System.err.println("bench: " + invalid.getMessage());
            System.err.printf(DriverOptions.USAGE, String.join(", ", METRICS));
            System.exit(2);
            return;
        }
        Path workDirectory = options.workDirectory() != null
                ? Files.createDirectories(options.workDirectory())
                : Files.createTempDirectory("plugin-client-bench-");
        System.err.println("bench: " + (options.quick() ? "quick" : "full") + " run, details in " + workDirectory);

        List<String> failures = new ArrayList<>();
        GoHost goHost = new GoHost(options.goHost(), options.goPlugin(), workDirectory);
        GoHostMetrics goHostMetrics = new GoHostMetrics(options, goHost);

        // The JMH forks attach to this one process, so both sides of a JMH metric call the same plugin.
        if (options.runs("call_overhead") || options.runs("open_circuit_rejection")) {
            try (PluginConnection target = PluginLauncher.connect(
                    GoCalculatorPlugin.config("benchmark-target", options.goPlugin()))) {
                JmhMetrics jmh = new JmhMetrics(options, target, workDirectory);
                run(options, failures, "call_overhead", jmh::callOverhead);
                run(options, failures, "open_circuit_rejection", jmh::openCircuitRejection);
            } catch (RuntimeException failure) {
                failures.add("the JMH target plugin could not be started: " + failure);
                System.err.println("bench: " + failures.get(failures.size() - 1));
            }
        }
        run(options, failures, "latency_vs_go_host", goHostMetrics::latency);
        run(options, failures, "throughput_vs_go_host", goHostMetrics::throughput);
        run(options, failures, "start_vs_go_host", goHostMetrics::start);
        run(options, failures, "recovery_after_kill", new RecoveryMetric(options)::measure);
        runIdleFootprint(options, failures, workDirectory);

        if (!failures.isEmpty()) {
            System.err.println("bench: " + failures.size() + " metric(s) could not be measured:");
            failures.forEach(failure -> System.err.println("bench:   " + failure));
            System.exit(1);
        }
        System.exit(0);
    }

    private static void run(DriverOptions options, List<String> failures, String metric,
            Supplier<MetricResult> measurement) {
        if (!options.runs(metric)) {
            return;
        }
        long started = System.nanoTime();
        System.err.println("bench: measuring " + metric);
        try {
            print(measurement.get());
        } catch (RuntimeException failure) {
            fail(failures, metric, failure);
        }
        System.err.printf("bench: %s took %.1f s%n", metric, (System.nanoTime() - started) / 1e9);
    }

    private static void runIdleFootprint(DriverOptions options, List<String> failures, Path workDirectory) {
        if (!options.runs("idle_memory_per_plugin") && !options.runs("threads_per_plugin")) {
            return;
        }
        long started = System.nanoTime();
        System.err.println("bench: measuring idle_memory_per_plugin and threads_per_plugin");
        try {
            Map<String, MetricResult> results = new LinkedHashMap<>();
            for (MetricResult result : new IdleFootprintMetric(options, workDirectory).measure()) {
                results.put(result.name(), result);
            }
            results.values().stream().filter(result -> options.runs(result.name())).forEach(BenchmarkDriver::print);
        } catch (RuntimeException failure) {
            fail(failures, "idle_memory_per_plugin", failure);
            fail(failures, "threads_per_plugin", failure);
        }
        System.err.printf("bench: idle footprint took %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    private static void print(MetricResult result) {
        System.out.println(result.summaryLine());
        System.out.flush();
    }

    private static void fail(List<String> failures, String metric, RuntimeException failure) {
        String reason = metric + ": " + failure.getMessage()
                + (failure.getCause() != null ? " (cause: " + failure.getCause() + ")" : "");
        failures.add(reason);
        System.err.println("bench: could not measure " + reason);
        failure.printStackTrace(System.err);
    }
}
