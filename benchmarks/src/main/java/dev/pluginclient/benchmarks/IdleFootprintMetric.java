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
 * {@code idle_memory_per_plugin} and {@code threads_per_plugin}: what each of 100 idle managed plugins
 * costs the host JVM, against what the first plugin costs. Both are deltas from the same JVM with no
 * plugin, measured by {@link IdleFootprintProbe} in a fresh JVM.
 *
 * <p>Memory is the JVM's resident set size (heap and native memory), read from {@code /proc/self/status}
 * after garbage collection; the plugin processes themselves are not included.
 */
final class IdleFootprintMetric {

    private static final Pattern FOOTPRINT = Pattern.compile(
            "footprint plugins=(\\d+) rss_kib=(\\d+) heap_used_kib=(\\d+) non_heap_used_kib=(\\d+) threads=(\\d+)"
                    + " plugin_processes_rss_kib=(\\d+)");

    private final DriverOptions options;
    private final Path workDirectory;

    IdleFootprintMetric(DriverOptions options, Path workDirectory) {
        this.options = options;
        this.workDirectory = workDirectory;
    }

    /** One reading of the probe. */
    private record Footprint(int plugins, long rssKib, long heapUsedKib, long nonHeapUsedKib, int threads,
            long pluginProcessesRssKib) {
    }

    /** Returns idle_memory_per_plugin and threads_per_plugin, in that order. */
    List<MetricResult> measure() {
        int plugins = options.profile().idlePlugins();
        Duration settle = options.profile().idleSettle();
        Map<Integer, Footprint> footprints = runProbe(plugins, settle);
        Footprint none = require(footprints, 0);
        Footprint one = require(footprints, 1);
        Footprint all = require(footprints, plugins);

        double memoryPerPlugin = (all.rssKib() - none.rssKib()) / (double) plugins;
        double memoryOfOne = one.rssKib() - none.rssKib();
        double threadsPerPlugin = (all.threads() - none.threads()) / (double) plugins;
        double threadsOfOne = one.threads() - none.threads();

        Context.print("idle footprint: JVM RSS %d KiB with no plugin, %d KiB with 1, %d KiB with %d; heap used after GC"
                + " %d, %d, %d KiB; threads %d, %d, %d", none.rssKib(), one.rssKib(), all.rssKib(), plugins,
                none.heapUsedKib(), one.heapUsedKib(), all.heapUsedKib(), none.threads(), one.threads(),
                all.threads());
        Context.print("idle footprint: each further plugin adds %.0f KiB RSS, %.1f KiB heap and %.2f threads;"
                + " a plugin process itself uses %.0f KiB RSS", (all.rssKib() - one.rssKib()) / (double) (plugins - 1),
                (all.heapUsedKib() - one.heapUsedKib()) / (double) (plugins - 1),
                (all.threads() - one.threads()) / (double) (plugins - 1),
                all.pluginProcessesRssKib() / (double) plugins);

        if (memoryOfOne <= 0 || threadsOfOne <= 0) {
            throw new IllegalStateException("the first plugin added " + memoryOfOne + " KiB and " + threadsOfOne
                    + " threads, so there is no baseline to compare with; see " + workDirectory.resolve("idle-probe.err"));
        }
        return List.of(new MetricResult("idle_memory_per_plugin", memoryPerPlugin, memoryOfOne, "KiB"),
                new MetricResult("threads_per_plugin", threadsPerPlugin, threadsOfOne, "threads"));
    }

    private Map<Integer, Footprint> runProbe(int plugins, Duration settle) {
        String java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("the path of the running java executable is unknown"));
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), IdleFootprintProbe.class.getName(),
                "--go-plugin", options.goPlugin().toString(),
                "--plugins", Integer.toString(plugins),
                "--settle-ms", Long.toString(settle.toMillis())));
        Path stdout = workDirectory.resolve("idle-probe.out");
        Path stderr = workDirectory.resolve("idle-probe.err");
        Process process;
        try {
            process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        } catch (IOException failure) {
            throw new UncheckedIOException("starting the idle footprint probe failed", failure);
        }

        Duration timeout = settle.multipliedBy(3).plusMinutes(2);
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException("the idle footprint probe timed out after " + timeout.toSeconds()
                        + " s; see " + stderr);
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while the idle footprint probe ran", interrupted);
        }

        String output = read(stdout);
        if (process.exitValue() != 0) {
            throw new IllegalStateException("the idle footprint probe failed with exit status " + process.exitValue()
                    + "; see " + stderr);
        }
        Map<Integer, Footprint> footprints = new HashMap<>();
        for (String line : output.split("\n")) {
            Matcher matcher = FOOTPRINT.matcher(line);
            if (matcher.matches()) {
                Footprint footprint = new Footprint(Integer.parseInt(matcher.group(1)), Long.parseLong(matcher.group(2)),
                        Long.parseLong(matcher.group(3)), Long.parseLong(matcher.group(4)),
                        Integer.parseInt(matcher.group(5)), Long.parseLong(matcher.group(6)));
                footprints.put(footprint.plugins(), footprint);
            } else if (line.startsWith("threads ")) {
                Context.print("idle footprint: %s", line);
            }
        }
        return footprints;
    }

    private Footprint require(Map<Integer, Footprint> footprints, int plugins) {
        Footprint footprint = footprints.get(plugins);
        if (footprint == null) {
            throw new IllegalStateException("the idle footprint probe printed no reading for " + plugins
                    + " plugins; see " + workDirectory.resolve("idle-probe.out"));
        }
        return footprint;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException failure) {
            throw new UncheckedIOException("reading " + file + " failed", failure);
        }
    }
}
