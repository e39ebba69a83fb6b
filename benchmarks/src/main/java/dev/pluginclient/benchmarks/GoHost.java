package dev.pluginclient.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code go-host}, the go-plugin 1.0.1 host built by {@code scripts/build-peers.sh}, and reads the
 * {@code result metric=<name> value=<number> unit=<unit>} lines it prints.
 */
final class GoHost {

    private static final Pattern RESULT = Pattern.compile("result metric=(\\S+) value=(\\S+) unit=(\\S+)");

    /** A line of bash's {@code times}: user and system CPU time, such as {@code 0m0.843s 0m0.220s}. */
    private static final Pattern TIMES = Pattern.compile("(?m)^(\\d+)m([\\d.]+)s (\\d+)m([\\d.]+)s$");

    /**
     * The result under which {@link #run} returns the CPU seconds that go-host and the plugin process
     * it started used together.
     */
    static final String CPU_SECONDS = "host_and_plugin_cpu_seconds";

    private final Path executable;
    private final Path plugin;
    private final Path logDirectory;

    GoHost(Path executable, Path plugin, Path logDirectory) {
        if (!Files.isExecutable(executable)) {
            throw new IllegalArgumentException("go-host " + executable
                    + " is missing or not executable; build it with scripts/build-peers.sh OUTDIR");
        }
        this.executable = executable;
        this.plugin = plugin;
        this.logDirectory = logDirectory;
    }

    /**
     * Runs one mode and returns its results by metric name, such as {@code add_latency_p50}, and
     * {@link #CPU_SECONDS}.
     *
     * @param flags the mode's flags, such as {@code -n 1000}
     * @param timeout how long the run may take before it is killed and reported as failed
     */
    Map<String, Double> run(String mode, List<String> flags, Duration timeout) {
        // bash's times builtin prints the CPU time of the processes it waited for: go-host, and the plugin
        // process that go-host waited for.
        List<String> command = new ArrayList<>(List.of("bash", "-c", "\"$@\"; status=$?; times >&2; exit $status",
                "bash"));
        command.add(executable.toString());
        command.add(mode);
        command.addAll(flags);
        command.add("--");
        command.add(plugin.toString());

        Path stdout = logDirectory.resolve("go-host-" + mode + ".out");
        Path stderr = logDirectory.resolve("go-host-" + mode + ".err");
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .start();
        } catch (IOException failure) {
            throw new UncheckedIOException("starting " + String.join(" ", command) + " failed", failure);
        }

        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException("go-host " + mode + " timed out after " + timeout.toSeconds()
                        + " s; see " + stderr);
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while go-host " + mode + " ran", interrupted);
        }

        String output = read(stdout);
        if (process.exitValue() != 0) {
            throw new IllegalStateException("go-host " + mode + " failed with exit status " + process.exitValue()
                    + ": " + read(stderr).strip());
        }
        Map<String, Double> results = new HashMap<>();
        Matcher matcher = RESULT.matcher(output);
        while (matcher.find()) {
            results.put(matcher.group(1), Double.parseDouble(matcher.group(2)));
        }
        // The second times line is the waited-for processes' user and system time.
        Matcher times = TIMES.matcher(read(stderr));
        Double childrenCpu = null;
        while (times.find()) {
            childrenCpu = Integer.parseInt(times.group(1)) * 60 + Double.parseDouble(times.group(2))
                    + Integer.parseInt(times.group(3)) * 60 + Double.parseDouble(times.group(4));
        }
        if (childrenCpu != null) {
            results.put(CPU_SECONDS, childrenCpu);
        }
        return results;
    }

    /** Returns the named result, or fails with the results that were printed instead. */
    static double require(Map<String, Double> results, String metric) {
        Double value = results.get(metric);
        if (value == null) {
            throw new IllegalStateException("go-host printed no result " + metric + "; it printed " + results.keySet());
        }
        return value;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException failure) {
            throw new UncheckedIOException("reading " + file + " failed", failure);
        }
    }
}
