package dev.pluginclient.benchmarks;

import dev.pluginclient.PluginConnection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The metrics measured with JMH: {@code call_overhead} and {@code open_circuit_rejection}. Each runs
 * its benchmarks in one forked JVM per benchmark, all attached to the same plugin process.
 */
final class JmhMetrics {

    /** The two sides of call_overhead, all a quick run measures. */
    private static final List<String> QUICK_CALL_OVERHEAD_METHODS = List.of("managedChannel", "plainChannel");
    /** A full run also measures the steps between them, to show where the difference comes from. */
    private static final List<String> CALL_OVERHEAD_METHODS = List.of("managedChannel", "plainChannel",
            "plainChannelWithDeadline", "pluginChannelWithDeadline");

    private final DriverOptions options;
    private final PluginConnection target;
    private final Path workDirectory;

    JmhMetrics(DriverOptions options, PluginConnection target, Path workDirectory) {
        this.options = options;
        this.target = target;
        this.workDirectory = workDirectory;
    }

    /** Median Add latency through the managed channel against a plain grpc-java channel. */
    MetricResult callOverhead() {
        Map<String, RunResult> results = run(CallOverheadBenchmark.class, "call-overhead",
                options.quick() ? QUICK_CALL_OVERHEAD_METHODS : CALL_OVERHEAD_METHODS);
        double managed = median(results, "managedChannel");
        double plain = median(results, "plainChannel");
        Context.print("call_overhead: p90 managed %.1f us, plain %.1f us; samples managed %d, plain %d",
                percentile(results, "managedChannel", 90), percentile(results, "plainChannel", 90),
                results.get("managedChannel").getPrimaryResult().getStatistics().getN(),
                results.get("plainChannel").getPrimaryResult().getStatistics().getN());
        if (results.containsKey("plainChannelWithDeadline")) {
            Context.print("call_overhead: median plain channel with a 10 s deadline %.1f us, the library's per-process"
                    + " channel with that deadline %.1f us", median(results, "plainChannelWithDeadline"),
                    median(results, "pluginChannelWithDeadline"));
        }
        return new MetricResult("call_overhead", managed, plain, "us");
    }

    /** Average time of a call the open circuit rejects, against a plain method call. */
    MetricResult openCircuitRejection() {
        Map<String, RunResult> results = run(OpenCircuitBenchmark.class, "open-circuit",
                List.of("rejectedCall", "plainMethodCall"));
        double rejected = results.get("rejectedCall").getPrimaryResult().getScore();
        double plain = results.get("plainMethodCall").getPrimaryResult().getScore();
        return new MetricResult("open_circuit_rejection", rejected, plain, "ns");
    }

    private Map<String, RunResult> run(Class<?> benchmark, String reportName, List<String> methods) {
        DriverOptions.Profile profile = options.profile();
        Path report = workDirectory.resolve("jmh-" + reportName + ".txt");
        String network = target.transport().startsWith("unix") ? "unix" : "tcp";
        ChainedOptionsBuilder builder = new OptionsBuilder()
                .include("^" + benchmark.getName().replace(".", "\\.") + "\\.(" + String.join("|", methods) + ")$")
                .forks(1)
                .warmupIterations(profile.jmhWarmupIterations())
                .measurementIterations(profile.jmhMeasurementIterations())
                .warmupTime(TimeValue.milliseconds(profile.jmhIterationTime().toMillis()))
                .measurementTime(TimeValue.milliseconds(profile.jmhIterationTime().toMillis()))
                // JMH passes this JVM's own options (--enable-native-access among them) on to the fork.
                .jvmArgsAppend("-D" + BenchmarkTarget.NETWORK_PROPERTY + "=" + network,
                        "-D" + BenchmarkTarget.ADDRESS_PROPERTY + "=" + target.address(),
                        "-D" + BenchmarkTarget.PID_PROPERTY + "=" + target.pid())
                .output(report.toString());
        for (String profiler : options.profilers()) {
            builder.addProfiler(profiler);
        }

        Collection<RunResult> runs;
        try {
            runs = new Runner(builder.build()).run();
        } catch (RunnerException failure) {
            throw new IllegalStateException("JMH run of " + benchmark.getSimpleName() + " failed; see " + report,
                    failure);
        }
        Context.print("JMH report of %s: %s", benchmark.getSimpleName(), report);

        Map<String, RunResult> byMethod = new HashMap<>();
        for (RunResult run : runs) {
            BenchmarkParams params = run.getParams();
            String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
            byMethod.put(method, run);
        }
        List<String> missing = new ArrayList<>();
        for (String expected : methods) {
            if (!byMethod.containsKey(expected)) {
                missing.add(expected);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("JMH returned no result for " + missing + " of "
                    + benchmark.getSimpleName() + "; see " + report);
        }
        return byMethod;
    }

    private static double median(Map<String, RunResult> results, String method) {
        return percentile(results, method, 50);
    }

    /** Returns a percentile of SampleTime samples in the benchmark's unit (microseconds). */
    private static double percentile(Map<String, RunResult> results, String method, double percent) {
        RunResult run = results.get(method);
        if (run.getParams().getTimeUnit() != TimeUnit.MICROSECONDS) {
            throw new IllegalStateException(method + " reports in " + run.getParams().getTimeUnit()
                    + ", expected microseconds");
        }
        return run.getPrimaryResult().getStatistics().getPercentile(percent);
    }
}
