package dev.pluginclient.benchmarks;

import dev.pluginclient.PluginClient;
import dev.pluginclient.PluginConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Measures the memory and threads that idle managed plugins cost the host JVM. It runs in a JVM of
 * its own (started by {@link IdleFootprintMetric}), so that the baseline has loaded none of the
 * library's classes: 0 plugins, then 1, then {@code --plugins} in total, each read after the plugins
 * have idled for {@code --settle-ms}.
 *
 * <p>Prints one {@code footprint} line per step on stdout, and the live threads grouped by name.
 */
public final class IdleFootprintProbe {

    /** Concurrent starts and stops; the starts themselves run on the library's worker threads. */
    private static final int PARALLELISM = 4;

    private IdleFootprintProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path goPlugin = null;
        int plugins = 100;
        long settleMillis = 6000;
        for (int index = 0; index < args.length; index += 2) {
            if (index + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + args[index]);
            }
            switch (args[index]) {
                case "--go-plugin" -> goPlugin = Path.of(args[index + 1]);
                case "--plugins" -> plugins = Integer.parseInt(args[index + 1]);
                case "--settle-ms" -> settleMillis = Long.parseLong(args[index + 1]);
                default -> throw new IllegalArgumentException("unknown argument '" + args[index] + "'");
            }
        }
        if (goPlugin == null || plugins < 2) {
            throw new IllegalArgumentException("usage: IdleFootprintProbe --go-plugin PATH [--plugins N>=2]"
                    + " [--settle-ms MILLIS]");
        }

        Duration settle = Duration.ofMillis(settleMillis);
        List<PluginClient> clients = new ArrayList<>();
        ExecutorService starter = Executors.newFixedThreadPool(PARALLELISM);
        try {
            // With no plugin there is nothing to wait for but the JVM's own start-up.
            report(0, Duration.ofSeconds(1));

            clients.addAll(startAll(starter, goPlugin, 0, 1));
            report(1, settle);

            clients.addAll(startAll(starter, goPlugin, 1, plugins - 1));
            report(plugins, settle);
        } finally {
            List<Future<?>> stops = new ArrayList<>();
            for (PluginClient client : clients) {
                stops.add(starter.submit(client::stop));
            }
            for (Future<?> stop : stops) {
                stop.get();
            }
            starter.shutdown();
        }
    }

    private static List<PluginClient> startAll(ExecutorService starter, Path goPlugin, int firstIndex, int count)
            throws Exception {
        List<Future<PluginClient>> starts = new ArrayList<>();
        for (int index = firstIndex; index < firstIndex + count; index++) {
            PluginConfig config = GoCalculatorPlugin.config("idle-" + index, goPlugin);
            starts.add(starter.submit(() -> {
                PluginClient client = GoCalculatorPlugin.managedClient(config).build();
                client.start();
                return client;
            }));
        }
        List<PluginClient> started = new ArrayList<>();
        for (Future<PluginClient> start : starts) {
            started.add(start.get());
        }
        return started;
    }

    /** Lets the plugins idle for {@code settle}, collects garbage and prints what the JVM uses now. */
    private static void report(int plugins, Duration settle) throws Exception {
        Thread.sleep(settle.toMillis());
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(100);
        }

        long rssKib = residentKib(Path.of("/proc/self/status"));
        long heapUsedKib = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1024;
        long nonHeapUsedKib = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage().getUsed() / 1024;
        int threads = ManagementFactory.getThreadMXBean().getThreadCount();
        long pluginRssKib = 0;
        for (ProcessHandle child : ProcessHandle.current().children().toList()) {
            pluginRssKib += residentKib(Path.of("/proc", Long.toString(child.pid()), "status"));
        }
        System.out.printf("footprint plugins=%d rss_kib=%d heap_used_kib=%d non_heap_used_kib=%d threads=%d"
                + " plugin_processes_rss_kib=%d%n", plugins, rssKib, heapUsedKib, nonHeapUsedKib, threads,
                pluginRssKib);
        System.out.printf("threads plugins=%d %s%n", plugins, threadsByName());
        System.out.flush();
    }

    /** Live threads grouped by name with every number replaced by N, such as {@code plugin-client-worker-N=3}. */
    private static Map<String, Integer> threadsByName() {
        Map<String, Integer> counts = new TreeMap<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            String group = thread.getName().replaceAll("\\d+", "N");
            counts.merge(group, 1, Integer::sum);
        }
        return counts;
    }

    /** Reads VmRSS from a {@code /proc/<pid>/status} file, in KiB; 0 when the process is gone. */
    private static long residentKib(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException gone) {
            return 0;
        }
        return 0;
    }
}
