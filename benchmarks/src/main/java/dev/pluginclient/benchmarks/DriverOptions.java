package dev.pluginclient.benchmarks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The command line of {@link BenchmarkDriver}.
 *
 * @param goPlugin the go-calculator-plugin executable
 * @param goHost the go-host executable
 * @param workDirectory where JMH reports and go-host output go
 * @param quick whether to run the short profile, for CI
 * @param metrics the metrics to run, in the driver's order; all when empty
 * @param profilers JMH profilers to add to the JMH runs, such as {@code stack}
 */
record DriverOptions(Path goPlugin, Path goHost, Path workDirectory, boolean quick, Set<String> metrics,
        List<String> profilers) {

    static final String USAGE = """
            usage: BenchmarkDriver --go-plugin PATH --go-host PATH [--work-dir DIR] [--quick]
                                   [--only METRIC[,METRIC...]] [--jmh-profiler NAME]...
              --go-plugin     go-calculator-plugin built by scripts/build-peers.sh
              --go-host       go-host built by scripts/build-peers.sh
              --work-dir      directory for JMH reports and go-host output (default: a new temporary directory)
              --quick         shorter runs, for CI (about a minute and a half on 2 cores)
              --only          run only these metrics: %s
              --jmh-profiler  add a JMH profiler (for example stack or gc) to the JMH runs; may be repeated
            """;

    /** Parses the arguments, or throws {@link IllegalArgumentException} with the reason. */
    static DriverOptions parse(String[] args) {
        Path goPlugin = null;
        Path goHost = null;
        Path workDirectory = null;
        boolean quick = false;
        Set<String> metrics = new LinkedHashSet<>();
        List<String> profilers = new ArrayList<>();

        for (int index = 0; index < args.length; index++) {
            String argument = args[index];
            switch (argument) {
                case "--go-plugin" -> goPlugin = Path.of(value(args, ++index, argument));
                case "--go-host" -> goHost = Path.of(value(args, ++index, argument));
                case "--work-dir" -> workDirectory = Path.of(value(args, ++index, argument));
                case "--quick" -> quick = true;
                case "--only" -> {
                    for (String metric : value(args, ++index, argument).split(",")) {
                        if (!BenchmarkDriver.METRICS.contains(metric)) {
                            throw new IllegalArgumentException("unknown metric '" + metric + "' in --only; known: "
                                    + String.join(", ", BenchmarkDriver.METRICS));
                        }
                        metrics.add(metric);
                    }
                }
                case "--jmh-profiler" -> profilers.add(value(args, ++index, argument));
                default -> throw new IllegalArgumentException("unknown argument '" + argument + "'");
            }
        }
        if (goPlugin == null) {
            throw new IllegalArgumentException("missing --go-plugin");
        }
        if (goHost == null) {
            throw new IllegalArgumentException("missing --go-host");
        }
        return new DriverOptions(goPlugin.toAbsolutePath(), goHost.toAbsolutePath(),
                workDirectory == null ? null : workDirectory.toAbsolutePath(), quick, Set.copyOf(metrics),
                List.copyOf(profilers));
    }

    boolean runs(String metric) {
        return metrics.isEmpty() || metrics.contains(metric);
    }

    /** Returns the sizes of this run: short for {@code --quick}, longer for a full run. */
    Profile profile() {
        return quick ? Profile.QUICK : Profile.FULL;
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException("missing value after " + option);
        }
        return args[index];
    }

    /**
     * The sizes of one run.
     *
     * @param jmhWarmupIterations JMH warm-up iterations per benchmark
     * @param jmhMeasurementIterations JMH measured iterations per benchmark
     * @param jmhIterationTime the length of one JMH iteration
     * @param jitWarmup how long our host calls before latency and throughput are measured, so that the
     *        JIT has compiled the call path
     * @param latencyWarmupCalls unmeasured calls before the latency samples, on both hosts
     * @param latencyCalls measured calls of latency_vs_go_host
     * @param throughputDuration how long each host calls in throughput_vs_go_host
     * @param starts measured plugin starts of start_vs_go_host
     * @param kills measured kills of recovery_after_kill
     * @param idlePlugins managed plugins kept idle for the memory and thread metrics
     * @param idleSettle how long the idle plugins run before memory and threads are read. It is longer
     *        than one health-check interval, so that the health checks have run.
     */
    record Profile(int jmhWarmupIterations, int jmhMeasurementIterations, Duration jmhIterationTime,
            Duration jitWarmup, int latencyWarmupCalls, int latencyCalls, Duration throughputDuration, int starts,
            int kills, int idlePlugins, Duration idleSettle) {

        static final Profile QUICK = new Profile(2, 3, Duration.ofSeconds(1), Duration.ofSeconds(2), 500, 3000,
                Duration.ofSeconds(3), 10, 5, 100, Duration.ofSeconds(6));
        static final Profile FULL = new Profile(3, 5, Duration.ofSeconds(2), Duration.ofSeconds(5), 2000, 20000,
                Duration.ofSeconds(10), 40, 20, 100, Duration.ofSeconds(6));
    }
}
