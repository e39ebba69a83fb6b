package dev.pluginclient.benchmarks;

import dev.pluginclient.PluginClient;
import dev.pluginclient.calculator.v1.BinaryRequest;
import dev.pluginclient.calculator.v1.CalculatorGrpc;
import dev.pluginclient.calculator.v1.CalculatorGrpc.CalculatorBlockingStub;
import dev.pluginclient.event.PluginEvent;
import dev.pluginclient.resilience.RetryPolicy;
import dev.pluginclient.supervision.PluginState;
import dev.pluginclient.supervision.RestartPolicy;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code recovery_after_kill}: the time from SIGKILL of a managed plugin's process to the next
 * successful call through its stable channel, against the plugin's bare start time (process start
 * to a connected, healthy channel, as {@link dev.pluginclient.PluginConnection#startDuration()}
 * reports it for the restarted processes of the same run).
 *
 * <p>The client restarts at once (restart backoff 0) and retries a refused call after 10 ms, so the
 * number shows what the library itself adds. With the default policies a restart waits 200 ms and
 * a retry 100 ms, both plus or minus 20 %.
 */
final class RecoveryMetric {

    private static final RetryPolicy RETRY = RetryPolicy.defaults()
            .withIdempotentMethods(List.of("calculator.v1.Calculator/*"))
            .withBackoff(Duration.ofMillis(10), 2.0, Duration.ofSeconds(1), 0.2);

    /** Calls after a kill give up after this long; a recovery never takes that long unless it is broken. */
    private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(30);

    private final DriverOptions options;

    RecoveryMetric(DriverOptions options) {
        this.options = options;
    }

    MetricResult measure() {
        int kills = options.profile().kills();
        RestartPolicy restart = RestartPolicy.defaults()
                .withBudget(kills + 10, Duration.ofMinutes(10))
                .withBackoff(Duration.ZERO, Duration.ZERO);
        EventTimes events = new EventTimes();
        long[] recoveries = new long[kills];
        long[] toExitSeen = new long[kills];
        long[] toStarted = new long[kills];
        long[] startDurations = new long[kills];
        int failedCalls = 0;
        String firstFailure = "none";

        try (PluginClient client = GoCalculatorPlugin.managedClient(GoCalculatorPlugin.config("recovery",
                        options.goPlugin()))
                .retry(RETRY)
                .restart(restart)
                .listener(events)
                .build()) {
            client.start();
            CalculatorBlockingStub calculator = CalculatorGrpc.newBlockingStub(client.channel());
            calculator.add(request(0));

            // The first kill is a warm-up of the restart path and is not measured.
            for (int kill = -1; kill < kills; kill++) {
                long pid = awaitReady(client);
                events.reset();
                long killed = System.nanoTime();
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);

                long recovered = 0;
                while (recovered == 0) {
                    try {
                        calculator.withDeadlineAfter(RECOVERY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                                .add(request(kill));
                        recovered = System.nanoTime();
                    } catch (StatusRuntimeException failure) {
                        if (failedCalls++ == 0) {
                            firstFailure = failure.getStatus().getCode() + ": " + failure.getStatus().getDescription();
                        }
                        if (System.nanoTime() - killed > RECOVERY_TIMEOUT.toNanos()) {
                            throw new IllegalStateException("no call succeeded within " + RECOVERY_TIMEOUT.toSeconds()
                                    + " s after SIGKILL of pid " + pid + "; last failure: " + failure.getStatus(),
                                    failure);
                        }
                    }
                }
                if (kill < 0) {
                    continue;
                }
                recoveries[kill] = recovered - killed;
                toExitSeen[kill] = events.exitSeen() - killed;
                toStarted[kill] = events.startedSeen() - killed;
                startDurations[kill] = events.startDuration().toNanos();
            }
        }

        Context.print("recovery_after_kill: %d kills, restart backoff 0, retry backoff 10 ms; median SIGKILL to exit seen"
                + " %.2f ms, to new process ready %.2f ms; max recovery %.2f ms; %d calls failed after their retries"
                + " (first: %s)", kills, Samples.median(toExitSeen) / 1e6, Samples.median(toStarted) / 1e6,
                Samples.percentile(recoveries, 100) / 1e6, failedCalls, firstFailure);
        return new MetricResult("recovery_after_kill", Samples.median(recoveries) / 1e6,
                Samples.median(startDurations) / 1e6, "ms");
    }

    /** Waits until the client is READY with a live process and returns its pid. */
    private static long awaitReady(PluginClient client) {
        long deadline = System.nanoTime() + RECOVERY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            long pid = client.status().pid();
            if (client.state() == PluginState.READY && pid > 0) {
                return pid;
            }
            sleep(1);
        }
        throw new IllegalStateException("plugin 'recovery' did not become READY within " + RECOVERY_TIMEOUT.toSeconds()
                + " s; status: " + client.status());
    }

    private static BinaryRequest request(long a) {
        return BinaryRequest.newBuilder().setA(a).setB(1).build();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the plugin", interrupted);
        }
    }

    /** When the supervisor saw the exit and the new process of the current kill, in System.nanoTime. */
    private static final class EventTimes implements dev.pluginclient.event.PluginEventListener {

        private volatile long exitSeen;
        private volatile long startedSeen;
        private volatile Duration startDuration = Duration.ZERO;

        void reset() {
            exitSeen = 0;
            startedSeen = 0;
            startDuration = Duration.ZERO;
        }

        @Override
        public void onEvent(PluginEvent event) {
            long now = System.nanoTime();
            if (event instanceof PluginEvent.ProcessExited && exitSeen == 0) {
                exitSeen = now;
            } else if (event instanceof PluginEvent.ProcessStarted started && started.restart() && startedSeen == 0) {
                startDuration = started.startDuration();
                startedSeen = now;
            }
        }

        long exitSeen() {
            return require(exitSeen, "ProcessExited");
        }

        long startedSeen() {
            return require(startedSeen, "ProcessStarted");
        }

        Duration startDuration() {
            return startDuration;
        }

        private static long require(long time, String event) {
            if (time == 0) {
                throw new IllegalStateException("the plugin recovered without a " + event + " event");
            }
            return time;
        }
    }
}
