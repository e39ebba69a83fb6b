package dev.pluginclient.benchmarks;

import dev.pluginclient.PluginClient;
import dev.pluginclient.PluginConfig;
import dev.pluginclient.PluginConnection;
import dev.pluginclient.PluginLauncher;
import dev.pluginclient.calculator.v1.BinaryRequest;
import dev.pluginclient.calculator.v1.CalculatorGrpc;
import dev.pluginclient.calculator.v1.CalculatorGrpc.CalculatorBlockingStub;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The metrics that compare this host with go-host, go-plugin 1.0.1's own host: both start the same
 * Go calculator plugin executable and make the same Add calls, one host after the other.
 */
final class GoHostMetrics {

    /** The callers of throughput_vs_go_host, on both hosts. */
    static final int CONCURRENT_CALLERS = 16;

    /** Unmeasured plugin starts of our host before start_vs_go_host measures, so that the JVM is warm. */
    private static final int WARMUP_STARTS = 5;

    private final DriverOptions options;
    private final GoHost goHost;

    GoHostMetrics(DriverOptions options, GoHost goHost) {
        this.options = options;
        this.goHost = goHost;
    }

    /** Median latency of sequential Add calls through the managed channel, against go-host's latency mode. */
    MetricResult latency() {
        DriverOptions.Profile profile = options.profile();
        long[] samples = new long[profile.latencyCalls()];
        try (PluginClient client = startClient("latency")) {
            CalculatorBlockingStub calculator = CalculatorGrpc.newBlockingStub(client.channel());
            // The JVM needs a few seconds of calls before the JIT has compiled the call path; go-host needs none.
            long warmupEnd = System.nanoTime() + profile.jitWarmup().toNanos();
            for (int call = 0; call < profile.latencyWarmupCalls() || System.nanoTime() < warmupEnd; call++) {
                calculator.add(request(call, 1));
            }
            for (int call = 0; call < samples.length; call++) {
                BinaryRequest request = request(call, 1);
                long started = System.nanoTime();
                calculator.add(request);
                samples[call] = System.nanoTime() - started;
            }
        }

        Map<String, Double> peer = goHost.run("latency", List.of("-n", Integer.toString(profile.latencyCalls()),
                "-warmup", Integer.toString(profile.latencyWarmupCalls())), Duration.ofMinutes(2));
        double oursMedian = Samples.median(samples) / 1000.0;
        double peerMedian = GoHost.require(peer, "add_latency_p50");
        Context.print("latency_vs_go_host: %d calls each; p90 ours %.1f us, go-host %.1f us; p99 ours %.1f us,"
                + " go-host %.1f us", samples.length, Samples.percentile(samples, 90) / 1000.0,
                GoHost.require(peer, "add_latency_p90"), Samples.percentile(samples, 99) / 1000.0,
                GoHost.require(peer, "add_latency_p99"));
        return new MetricResult("latency_vs_go_host", oursMedian, peerMedian, "us");
    }

    /** Add calls per second with 16 concurrent callers, against go-host's throughput mode. */
    MetricResult throughput() {
        Duration duration = options.profile().throughputDuration();
        double ours;
        double hostCpuPerCall;
        double pluginCpuPerCall;
        try (PluginClient client = startClient("throughput")) {
            CalculatorBlockingStub calculator = CalculatorGrpc.newBlockingStub(client.channel());
            // An unmeasured run lets the JIT compile the concurrent call path; go-host needs none.
            callConcurrently(calculator, options.profile().jitWarmup());

            ProcessHandle plugin = ProcessHandle.of(client.status().pid()).orElseThrow(
                    () -> new IllegalStateException("the throughput plugin process is gone"));
            long hostCpuBefore = hostCpuNanos();
            long pluginCpuBefore = cpuNanos(plugin);
            ours = callConcurrently(calculator, duration);
            double calls = ours * duration.toNanos() / 1e9;
            hostCpuPerCall = (hostCpuNanos() - hostCpuBefore) / calls / 1000.0;
            pluginCpuPerCall = (cpuNanos(plugin) - pluginCpuBefore) / calls / 1000.0;
        }

        Map<String, Double> peer = goHost.run("throughput", List.of("-c", Integer.toString(CONCURRENT_CALLERS),
                "-d", duration.toMillis() + "ms"), duration.plusMinutes(1));
        double goCalls = GoHost.require(peer, "calls");
        Context.print("throughput_vs_go_host: %d callers for %d s on each host; CPU per call: our JVM %.1f us and its"
                + " plugin process %.1f us, go-host and its plugin process together %.1f us (start-up included)",
                CONCURRENT_CALLERS, duration.toSeconds(), hostCpuPerCall, pluginCpuPerCall,
                peer.containsKey(GoHost.CPU_SECONDS) ? peer.get(GoHost.CPU_SECONDS) * 1e6 / goCalls : Double.NaN);
        return new MetricResult("throughput_vs_go_host", ours, GoHost.require(peer, "add_throughput"), "calls/s");
    }

    /**
     * Median time from building a {@link PluginClient} to the first successful Add, in a JVM that has
     * started the plugin before, against go-host's start-bench mode (NewClient, Client, Dispense, Add).
     */
    MetricResult start() {
        int starts = options.profile().starts();
        PluginConfig config = GoCalculatorPlugin.config("start", options.goPlugin());
        for (int start = 0; start < WARMUP_STARTS; start++) {
            startOnce(config);
            launchOnce(config);
        }

        long[] managed = new long[starts];
        long[] launcherOnly = new long[starts];
        for (int start = 0; start < starts; start++) {
            managed[start] = startOnce(config);
            launcherOnly[start] = launchOnce(config);
        }

        Map<String, Double> peer = goHost.run("start-bench", List.of("-n", Integer.toString(starts)),
                Duration.ofMinutes(2));
        Context.print("start_vs_go_host: %d starts each; PluginLauncher.connect alone (no supervisor) median %.2f ms;"
                + " max ours %.2f ms, go-host %.2f ms", starts, Samples.median(launcherOnly) / 1e6,
                Samples.percentile(managed, 100) / 1e6, GoHost.require(peer, "start_to_first_call_max"));
        return new MetricResult("start_vs_go_host", Samples.median(managed) / 1e6,
                GoHost.require(peer, "start_to_first_call_median"), "ms");
    }

    /** Starts a managed client, makes the first call and stops it; returns the nanoseconds to the first response. */
    private static long startOnce(PluginConfig config) {
        long started = System.nanoTime();
        try (PluginClient client = GoCalculatorPlugin.managedClient(config).build()) {
            client.start();
            CalculatorGrpc.newBlockingStub(client.channel()).add(request(5, 3));
            return System.nanoTime() - started;
        }
    }

    /** Measures the same with the bare launcher: process, handshake, channel, health check, first call. */
    private static long launchOnce(PluginConfig config) {
        long started = System.nanoTime();
        try (PluginConnection connection = PluginLauncher.connect(config)) {
            CalculatorGrpc.newBlockingStub(connection.channel()).add(request(5, 3));
            return System.nanoTime() - started;
        }
    }

    private PluginClient startClient(String name) {
        PluginClient client = GoCalculatorPlugin.managedClient(GoCalculatorPlugin.config(name, options.goPlugin()))
                .build();
        client.start();
        return client;
    }

    /** Runs {@link #CONCURRENT_CALLERS} threads that call Add until {@code duration} ends; returns calls per second. */
    private static double callConcurrently(CalculatorBlockingStub calculator, Duration duration) {
        LongAdder calls = new LongAdder();
        AtomicReference<RuntimeException> firstFailure = new AtomicReference<>();
        CountDownLatch ready = new CountDownLatch(CONCURRENT_CALLERS);
        CountDownLatch go = new CountDownLatch(1);
        long[] window = new long[2];
        List<Thread> callers = new ArrayList<>();
        for (int caller = 0; caller < CONCURRENT_CALLERS; caller++) {
            long callerId = caller;
            Thread thread = new Thread(() -> {
                ready.countDown();
                awaitQuietly(go);
                long deadline = window[1];
                for (long call = 0; System.nanoTime() < deadline; call++) {
                    try {
                        calculator.add(request(callerId, call));
                        calls.increment();
                    } catch (RuntimeException failure) {
                        firstFailure.compareAndSet(null, failure);
                        return;
                    }
                }
            }, "throughput-caller-" + caller);
            callers.add(thread);
            thread.start();
        }

        awaitQuietly(ready);
        window[0] = System.nanoTime();
        window[1] = window[0] + duration.toNanos();
        go.countDown();
        for (Thread caller : callers) {
            joinQuietly(caller);
        }
        long elapsed = System.nanoTime() - window[0];
        if (firstFailure.get() != null) {
            throw new IllegalStateException("an Add call failed during the throughput run", firstFailure.get());
        }
        return calls.sum() / (elapsed / 1e9);
    }

    /** CPU time of this JVM, all threads, in nanoseconds. */
    private static long hostCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long cpuNanos(ProcessHandle process) {
        return process.info().totalCpuDuration()
                .orElseThrow(() -> new IllegalStateException("the CPU time of pid " + process.pid() + " is unknown"))
                .toNanos();
    }

    private static BinaryRequest request(long a, long b) {
        return BinaryRequest.newBuilder().setA(a).setB(b).build();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
