package dev.pluginclient.tests;

import static dev.pluginclient.tests.CalculatorPlugin.calculator;
import static dev.pluginclient.tests.CalculatorPlugin.pair;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pluginclient.PluginClient;
import dev.pluginclient.supervision.PluginState;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Restarting many times leaks no threads, file descriptors or processes. */
@Timeout(value = 200, unit = TimeUnit.SECONDS)
class ResourceLeakTest {

    private static final int POOL_SIZE = 2;
    private static final int TARGET_RESTARTS = Integer.getInteger("leak.restarts", 200);
    private static final Duration TIME_BUDGET = Duration.ofSeconds(Long.getLong("leak.seconds", 120));
    private static final int THREAD_SLACK = 12;
    private static final int DESCRIPTOR_SLACK = 16;

    @Test
    void manyRestartsLeakNothing() {
        PluginClient client = PluginClient.builder(CalculatorPlugin.config("calculator-leak").build())
                .poolSize(POOL_SIZE)
                .build();
        long processesBefore = CalculatorPlugin.descendantProcesses();
        try {
            client.start();
            // Warm up: shared executors, gRPC and the log relay create their threads once.
            for (int warmUp = 0; warmUp < 3; warmUp++) {
                client.restart();
                assertThat(calculator(client).add(pair(warmUp, 1)).getValue()).isEqualTo(warmUp + 1);
            }
            awaitAllMembersReady(client);
            int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
            long descriptorsBefore = CalculatorPlugin.openFileDescriptors();
            long runningBefore = CalculatorPlugin.descendantProcesses();

            long started = System.nanoTime();
            int restarts = 0;
            while (restarts < TARGET_RESTARTS && System.nanoTime() - started < TIME_BUDGET.toNanos()) {
                client.restart();
                restarts += POOL_SIZE;
                assertThat(calculator(client).add(pair(restarts, 1)).getValue()).isEqualTo(restarts + 1L);
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            awaitAllMembersReady(client);

            await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    ManagementFactory.getThreadMXBean().getThreadCount() <= threadsBefore + THREAD_SLACK
                            && CalculatorPlugin.openFileDescriptors() <= descriptorsBefore + DESCRIPTOR_SLACK);
            int threadsAfter = ManagementFactory.getThreadMXBean().getThreadCount();
            long descriptorsAfter = CalculatorPlugin.openFileDescriptors();
            long runningAfter = CalculatorPlugin.descendantProcesses();
            System.out.printf("%d process restarts in %d ms: threads %d -> %d, fds %d -> %d, child processes %d -> %d%n",
                    restarts, elapsed.toMillis(), threadsBefore, threadsAfter, descriptorsBefore, descriptorsAfter,
                    runningBefore, runningAfter);

            assertThat(restarts).as("process restarts done within %s", TIME_BUDGET).isGreaterThanOrEqualTo(40);
            assertThat(threadsAfter).as("threads").isLessThanOrEqualTo(threadsBefore + THREAD_SLACK);
            assertThat(descriptorsAfter).as("open file descriptors").isLessThanOrEqualTo(
                    descriptorsBefore + DESCRIPTOR_SLACK);
            assertThat(runningAfter).as("child processes").isLessThanOrEqualTo(runningBefore);
        } finally {
            client.stop();
        }
        // The orphan watchdog of the launcher may stay: it is one process per JVM, not per plugin.
        await().atMost(Duration.ofSeconds(15)).until(() -> CalculatorPlugin.descendantProcesses() <= processesBefore + 1);
    }

    /** restart() returns once one member is READY; the others may still be starting or stopping. */
    private static void awaitAllMembersReady(PluginClient client) {
        await().atMost(Duration.ofSeconds(60)).until(() -> client.status().members().stream()
                .allMatch(member -> member.state() == PluginState.READY)
                && CalculatorPlugin.descendantProcesses() <= POOL_SIZE + 1);
    }
}
