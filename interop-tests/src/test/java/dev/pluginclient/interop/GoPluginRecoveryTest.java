package dev.pluginclient.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pluginclient.HandshakeConfig;
import dev.pluginclient.PluginClient;
import dev.pluginclient.PluginConfig;
import dev.pluginclient.PluginConnection;
import dev.pluginclient.PluginLauncher;
import dev.pluginclient.calculator.v1.BinaryRequest;
import dev.pluginclient.calculator.v1.CalculatorGrpc;
import dev.pluginclient.resilience.RetryPolicy;
import dev.pluginclient.supervision.PluginState;
import dev.pluginclient.supervision.RestartPolicy;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Crash recovery of a managed client with the Go plugin, which starts in milliseconds: many
 * SIGKILLs leak nothing, and the time from SIGKILL to the next successful call is printed.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class GoPluginRecoveryTest {

    private static final int KILLS = Integer.getInteger("recovery.kills", 200);
    private static final int THREAD_SLACK = 10;
    private static final int DESCRIPTOR_SLACK = 16;

    @Test
    void twoHundredKillsLeakNothing() throws Exception {
        try (PluginClient client = client("go-recovery")) {
            client.start();
            CalculatorGrpc.CalculatorBlockingStub calculator = CalculatorGrpc.newBlockingStub(client.channel());
            // Warm up the shared executors, the gRPC transport and the log relay, which create their threads once.
            for (int warmUp = 0; warmUp < 3; warmUp++) {
                killAndCall(client, calculator);
            }
            int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
            long descriptorsBefore = openFileDescriptors();

            List<Long> recoveryMicros = new ArrayList<>();
            for (int kill = 0; kill < KILLS; kill++) {
                recoveryMicros.add(killAndCall(client, calculator));
            }

            awaitSettled(threadsBefore, descriptorsBefore);
            int threadsAfter = ManagementFactory.getThreadMXBean().getThreadCount();
            long descriptorsAfter = openFileDescriptors();
            long children = ProcessHandle.current().children().filter(ProcessHandle::isAlive).count();
            Collections.sort(recoveryMicros);
            System.out.printf("%d SIGKILLs of the Go plugin: threads %d -> %d, fds %d -> %d, live children %d, "
                    + "restarts %d, SIGKILL to next successful call median %.1f ms (min %.1f, max %.1f)%n",
                    KILLS, threadsBefore, threadsAfter, descriptorsBefore, descriptorsAfter, children,
                    client.status().restarts(), recoveryMicros.get(KILLS / 2) / 1000.0,
                    recoveryMicros.get(0) / 1000.0, recoveryMicros.get(KILLS - 1) / 1000.0);

            assertThat(threadsAfter).as("threads after %d kills", KILLS).isLessThanOrEqualTo(threadsBefore + THREAD_SLACK);
            assertThat(descriptorsAfter).as("open file descriptors after %d kills", KILLS)
                    .isLessThanOrEqualTo(descriptorsBefore + DESCRIPTOR_SLACK);
            assertThat(client.status().restarts()).isGreaterThanOrEqualTo(KILLS);
        }
        assertThat(ProcessHandle.current().children().filter(child -> child.pid()
                != dev.pluginclient.process.OrphanReaper.instance().watchdogPid()).filter(ProcessHandle::isAlive))
                .as("plugin processes left after stop").isEmpty();
    }

    /** Prints the bare start-to-handshake time of the Go plugin, the floor of any recovery. */
    @Test
    void bareStartTime() {
        List<Long> micros = new ArrayList<>();
        for (int run = 0; run < 20; run++) {
            try (PluginConnection connection = PluginLauncher.connect(config("go-bare"))) {
                micros.add(TimeUnit.NANOSECONDS.toMicros(connection.startDuration().toNanos()));
            }
        }
        Collections.sort(micros);
        System.out.printf("Go plugin launch to healthy connection over 20 starts: median %.1f ms%n",
                micros.get(10) / 1000.0);
        assertThat(micros).hasSize(20);
    }

    private static long killAndCall(PluginClient client, CalculatorGrpc.CalculatorBlockingStub calculator) {
        long pid = client.status().pid();
        long killedAt = System.nanoTime();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        long value = calculator.withDeadlineAfter(20, TimeUnit.SECONDS)
                .add(BinaryRequest.newBuilder().setA(pid).setB(1).build()).getValue();
        long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - killedAt);
        assertThat(value).isEqualTo(pid + 1);
        waitUntilReadyWithNewPid(client, pid);
        return micros;
    }

    private static void waitUntilReadyWithNewPid(PluginClient client, long oldPid) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (client.state() == PluginState.READY && client.status().pid() != oldPid && client.status().pid() > 0) {
                return;
            }
            sleep(5);
        }
        throw new AssertionError("plugin not READY with a new pid 20 s after killing pid " + oldPid + ": "
                + client.status());
    }

    private static void awaitSettled(int threadsBefore, long descriptorsBefore) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline
                && (ManagementFactory.getThreadMXBean().getThreadCount() > threadsBefore + THREAD_SLACK
                        || openFileDescriptors() > descriptorsBefore + DESCRIPTOR_SLACK)) {
            sleep(200);
        }
    }

    private static long openFileDescriptors() throws IOException {
        try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
            return descriptors.count();
        }
    }

    private static PluginClient client(String name) {
        return PluginClient.builder(config(name))
                .retry(RetryPolicy.defaults().withIdempotentMethods(List.of("*")))
                // Every kill is deliberate here: a budget large enough for all of them, and no backoff
                // beyond the first step, so the measured time is the host's and the plugin's own.
                .restart(RestartPolicy.defaults().withBudget(KILLS + 10, Duration.ofMinutes(10))
                        .withBackoff(Duration.ofMillis(1), Duration.ofMillis(1)))
                .build();
    }

    private static PluginConfig config(String name) {
        return PluginConfig.builder(name)
                .command(List.of(Peers.get().goCalculatorPlugin().toString()))
                .handshake(HandshakeConfig.of(Peers.COOKIE_KEY, Peers.COOKIE_VALUE, 1))
                .build();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
