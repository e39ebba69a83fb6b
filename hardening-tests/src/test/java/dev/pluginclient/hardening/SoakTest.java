package dev.pluginclient.hardening;

import static dev.pluginclient.hardening.Plugins.calculator;
import static dev.pluginclient.hardening.Plugins.pair;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

import dev.pluginclient.PluginClient;
import dev.pluginclient.PluginConnection;
import dev.pluginclient.PluginLauncher;
import dev.pluginclient.supervision.PluginState;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Several calculator plugins at once, some started with {@link PluginLauncher} and restarted by
 * stop and connect, some managed by {@link PluginClient} and killed to make it restart them, with
 * calls and health checks throughout. Afterwards threads, open file descriptors, heap after GC and
 * child processes are back at their starting levels, within a slack.
 *
 * <p>{@code -Dsoak.duration=PT30M} runs longer than the default two minutes.
 */
class SoakTest {

    private static final Duration DURATION = Duration.parse(System.getProperty("soak.duration", "PT120S"));
    private static final int LAUNCHED_PLUGINS = 3;
    private static final int MANAGED_PLUGINS = 2;
    private static final Duration LAUNCHED_RESTART_INTERVAL = Duration.ofSeconds(10);
    private static final Duration MANAGED_KILL_INTERVAL = Duration.ofSeconds(15);

    // Slack for threads and descriptors that pools keep for a while (gRPC executors, Netty caches).
    private static final int THREAD_SLACK = 10;
    private static final int DESCRIPTOR_SLACK = 16;
    private static final long HEAP_SLACK_BYTES = 32L * 1024 * 1024;

    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong healthChecks = new AtomicLong();
    private final AtomicLong restarts = new AtomicLong();
    private final AtomicLong managedCallFailures = new AtomicLong();
    private final List<String> failureSamples = Collections.synchronizedList(new ArrayList<>());

    @Test
    void pluginsReturnResourcesAfterSoak() {
        assertTimeoutPreemptively(DURATION.plus(Duration.ofMinutes(3)), this::soak);
    }

    private void soak() throws Exception {
        warmUp();
        ResourceCounts before = ResourceCounts.measure();

        ExecutorService workers = Executors.newFixedThreadPool(LAUNCHED_PLUGINS + MANAGED_PLUGINS);
        long deadline = System.nanoTime() + DURATION.toNanos();
        List<Future<?>> running = new ArrayList<>();
        for (int index = 0; index < LAUNCHED_PLUGINS; index++) {
            String name = "soak-launched-" + index;
            running.add(workers.submit(() -> soakLaunched(name, deadline)));
        }
        for (int index = 0; index < MANAGED_PLUGINS; index++) {
            String name = "soak-managed-" + index;
            running.add(workers.submit(() -> soakManaged(name, deadline)));
        }
        try {
            for (Future<?> worker : running) {
                worker.get(DURATION.toMillis() + 120_000, TimeUnit.MILLISECONDS);
            }
        } finally {
            workers.shutdownNow();
            workers.awaitTermination(30, TimeUnit.SECONDS);
        }

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            ResourceCounts now = ResourceCounts.measure();
            return now.threads() <= before.threads() + THREAD_SLACK
                    && now.fileDescriptors() <= before.fileDescriptors() + DESCRIPTOR_SLACK
                    && now.heapBytes() <= before.heapBytes() + HEAP_SLACK_BYTES
                    && now.childProcesses() <= before.childProcesses();
        });
        ResourceCounts after = ResourceCounts.measure();
        System.out.printf("soak %d s, %d launched + %d managed plugins: %d calls, %d health checks, %d restarts, "
                        + "%d managed call failures; before: %s; after: %s%n",
                DURATION.toSeconds(), LAUNCHED_PLUGINS, MANAGED_PLUGINS, calls.get(), healthChecks.get(),
                restarts.get(), managedCallFailures.get(), before.describe(), after.describe());

        assertThat(after.threads()).as("threads, before: %s", before.describe())
                .isLessThanOrEqualTo(before.threads() + THREAD_SLACK);
        assertThat(after.fileDescriptors()).as("open file descriptors, before: %s", before.describe())
                .isLessThanOrEqualTo(before.fileDescriptors() + DESCRIPTOR_SLACK);
        assertThat(after.heapBytes()).as("used heap after GC, before: %s", before.describe())
                .isLessThanOrEqualTo(before.heapBytes() + HEAP_SLACK_BYTES);
        assertThat(after.childProcesses()).as("child processes, before: %s", before.describe())
                .isEqualTo(before.childProcesses());
        assertThat(restarts.get()).as("restarts").isGreaterThanOrEqualTo(LAUNCHED_PLUGINS);
        // A call that races a kill may fail once its retries are spent; every other call must succeed.
        assertThat(managedCallFailures.get()).as("failed calls on managed plugins, samples %s", failureSamples)
                .isLessThanOrEqualTo(restarts.get());
    }

    /** Runs one start, call, health check and stop of each kind, so that shared pools and the watchdog exist. */
    private void warmUp() {
        try (PluginConnection connection = PluginLauncher.connect(Plugins.calculator("soak-warm-up").build())) {
            assertThat(calculator(connection.channel()).add(pair(1, 1)).getValue()).isEqualTo(2);
            assertThat(connection.checkHealth(Duration.ofSeconds(5))).isTrue();
        }
        PluginClient client = PluginClient.builder(Plugins.calculator("soak-warm-up-managed").build()).build();
        try {
            client.start();
            assertThat(calculator(client.channel()).add(pair(1, 2)).getValue()).isEqualTo(3);
        } finally {
            client.stop();
        }
    }

    private void soakLaunched(String name, long deadline) {
        PluginConnection connection = PluginLauncher.connect(Plugins.calculator(name).build());
        try {
            long nextRestart = System.nanoTime() + LAUNCHED_RESTART_INTERVAL.toNanos();
            long call = 0;
            while (System.nanoTime() < deadline) {
                assertThat(calculator(connection.channel()).add(pair(call, 7)).getValue())
                        .as("%s call %d", name, call).isEqualTo(call + 7);
                calls.incrementAndGet();
                call++;
                if (call % 20 == 0) {
                    assertThat(connection.checkHealth(Duration.ofSeconds(5))).as("%s health", name).isTrue();
                    healthChecks.incrementAndGet();
                }
                if (System.nanoTime() >= nextRestart) {
                    connection.stop();
                    assertThat(connection.isAlive()).as("%s alive after stop", name).isFalse();
                    connection = PluginLauncher.connect(Plugins.calculator(name).build());
                    restarts.incrementAndGet();
                    nextRestart = System.nanoTime() + LAUNCHED_RESTART_INTERVAL.toNanos();
                }
                pause();
            }
        } finally {
            connection.stop();
        }
    }

    private void soakManaged(String name, long deadline) {
        PluginClient client = PluginClient.builder(Plugins.calculator(name).build()).build();
        try {
            client.start();
            long nextKill = System.nanoTime() + MANAGED_KILL_INTERVAL.toNanos();
            long call = 0;
            while (System.nanoTime() < deadline) {
                try {
                    assertThat(calculator(client.channel()).add(pair(call, 9)).getValue())
                            .as("%s call %d", name, call).isEqualTo(call + 9);
                    calls.incrementAndGet();
                } catch (StatusRuntimeException failure) {
                    managedCallFailures.incrementAndGet();
                    if (failureSamples.size() < 5) {
                        failureSamples.add(name + ": " + failure.getStatus());
                    }
                }
                call++;
                if (call % 20 == 0) {
                    healthChecks.incrementAndGet();
                    assertThat(client.state()).as("%s state", name).isIn(PluginState.READY, PluginState.RESTARTING,
                            PluginState.STARTING, PluginState.UNHEALTHY);
                }
                if (System.nanoTime() >= nextKill) {
                    long pid = client.status().pid();
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    restarts.incrementAndGet();
                    long killed = System.nanoTime();
                    await().atMost(Duration.ofSeconds(30)).until(() -> client.state() == PluginState.READY
                            && client.status().pid() != pid);
                    System.out.printf("%s: restarted after kill of pid %d in %d ms%n", name, pid,
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
                    nextKill = System.nanoTime() + MANAGED_KILL_INTERVAL.toNanos();
                }
                pause();
            }
        } finally {
            client.stop();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("soak interrupted", interrupted);
        }
    }
}
