package dev.pluginclient.tests;

import static dev.pluginclient.tests.CalculatorPlugin.calculator;
import static dev.pluginclient.tests.CalculatorPlugin.pair;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.pluginclient.ErrorCode;
import dev.pluginclient.PluginClient;
import dev.pluginclient.PluginException;
import dev.pluginclient.PluginUnavailableException;
import dev.pluginclient.calculator.v1.CalculatorGrpc;
import dev.pluginclient.event.PluginEvent;
import dev.pluginclient.resilience.RetryPolicy;
import dev.pluginclient.supervision.PluginState;
import dev.pluginclient.supervision.RestartPolicy;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A plugin killed with SIGKILL is restarted, and calls wait for it or fail with a typed status. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CrashRecoveryTest {

    private static final int CALLERS = 16;
    private static final int CALLS = 2_000;
    private static final int KILL_AFTER_CALLS = 300;

    private final List<PluginClient> clients = new ArrayList<>();

    @AfterEach
    void stopClients() {
        clients.forEach(PluginClient::stop);
    }

    private PluginClient start(PluginClient.Builder builder) {
        PluginClient client = builder.build();
        clients.add(client);
        client.start();
        return client;
    }

    @Test
    void sigkillUnderLoadLosesNoCall() throws Exception {
        PluginClient client = start(PluginClient.builder(CalculatorPlugin.config("calculator-kill").build())
                .retry(RetryPolicy.defaults().withIdempotentMethods(List.of(CalculatorPlugin.IDEMPOTENT_SERVICE))));
        long firstPid = client.status().pid();

        LoadResult result = runLoadAndKill(client, firstPid);

        assertThat(result.failures()).as("failed calls").isEmpty();
        assertThat(result.succeeded()).as("successful calls").isEqualTo(CALLS);
        assertThat(client.status().restarts()).as("restarts").isGreaterThanOrEqualTo(1);
        assertThat(client.status().pid()).as("pid after the restart").isNotEqualTo(firstPid);
        assertThat(client.state()).isEqualTo(PluginState.READY);
    }

    @Test
    void sigkillWithoutRetryFailsTyped() throws Exception {
        PluginClient client = start(PluginClient.builder(CalculatorPlugin.config("calculator-kill-no-retry").build())
                .retry(RetryPolicy.disabled()));
        long firstPid = client.status().pid();

        LoadResult result = runLoadAndKill(client, firstPid);

        assertThat(result.succeeded() + result.failures().size()).as("finished calls").isEqualTo(CALLS);
        for (Throwable failure : result.failures()) {
            boolean unavailable = failure instanceof StatusRuntimeException status
                    && status.getStatus().getCode() == Status.Code.UNAVAILABLE;
            boolean typed = unavailable || hasPluginExceptionCause(failure);
            assertThat(typed).as("typed failure: %s", failure).isTrue();
        }
        System.out.printf("SIGKILL under load without retry: %d of %d calls failed%n", result.failures().size(),
                CALLS);
        await().atMost(Duration.ofSeconds(30)).until(() -> client.state() == PluginState.READY);
        assertThat(calculator(client).add(pair(2, 3)).getValue()).isEqualTo(5);
    }

    @Test
    void callDuringRestartWaitsForPlugin() {
        PluginClient client = start(PluginClient.builder(CalculatorPlugin.config("calculator-wait").build())
                .retry(RetryPolicy.disabled()));
        List<PluginState> states = Collections.synchronizedList(new ArrayList<>());
        client.addListener(event -> {
            if (event instanceof PluginEvent.StateChanged changed) {
                states.add(changed.to());
            }
        });
        long firstPid = client.status().pid();

        CalculatorPlugin.kill(firstPid);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.state() == PluginState.RESTARTING);
        long started = System.nanoTime();
        long sum = calculator(client).withDeadlineAfter(30, TimeUnit.SECONDS).add(pair(40, 2)).getValue();
        Duration waited = Duration.ofNanos(System.nanoTime() - started);

        assertThat(sum).isEqualTo(42);
        assertThat(states).as("states after the kill").containsSubsequence(PluginState.RESTARTING,
                PluginState.READY);
        assertThat(client.status().pid()).isNotEqualTo(firstPid);
        System.out.printf("A call made while the plugin restarted waited %d ms%n", waited.toMillis());
    }

    @Test
    void callDuringRestartTimesOutAtDeadline() {
        PluginClient client = start(PluginClient.builder(CalculatorPlugin.config("calculator-wait-deadline").build())
                .retry(RetryPolicy.disabled())
                .restart(RestartPolicy.defaults().withBackoff(Duration.ofSeconds(5), Duration.ofSeconds(5))));

        CalculatorPlugin.kill(client.status().pid());
        await().atMost(Duration.ofSeconds(10)).until(() -> client.state() == PluginState.RESTARTING);
        long started = System.nanoTime();
        Throwable failure = catchThrowable(() -> calculator(client).withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                .add(pair(1, 1)));
        Duration waited = Duration.ofNanos(System.nanoTime() - started);

        assertThat(failure).isInstanceOf(StatusRuntimeException.class);
        assertThat(((StatusRuntimeException) failure).getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(waited).as("time until DEADLINE_EXCEEDED").isGreaterThanOrEqualTo(Duration.ofMillis(250))
                .isLessThan(Duration.ofSeconds(3));
        assertThat(PluginClient.isUnavailable(failure)).as("counts as unavailable for fallbacks").isTrue();
    }

    @Test
    void failedPluginRejectsCallsAtOnce() {
        PluginClient client = start(PluginClient.builder(CalculatorPlugin.config("calculator-failed").build())
                .restart(RestartPolicy.defaults().withBudget(0, Duration.ofMinutes(1))));

        CalculatorPlugin.kill(client.status().pid());
        await().atMost(Duration.ofSeconds(10)).until(() -> client.state() == PluginState.FAILED);
        long started = System.nanoTime();
        Throwable failure = catchThrowable(() -> calculator(client).withDeadlineAfter(30, TimeUnit.SECONDS)
                .add(pair(1, 1)));
        Duration waited = Duration.ofNanos(System.nanoTime() - started);

        assertThat(failure).isInstanceOf(StatusRuntimeException.class);
        assertThat(((StatusRuntimeException) failure).getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(failure.getCause()).isInstanceOf(PluginUnavailableException.class);
        assertThat(((PluginUnavailableException) failure.getCause()).code()).isEqualTo(ErrorCode.PLUGIN_FAILED);
        assertThat(waited).as("time to reject a call to a FAILED plugin").isLessThan(Duration.ofSeconds(1));
        assertThat(client.status().lastError()).as("last error").contains("exited");
        String fallback = client.execute(channel -> "plugin", error -> "fallback");
        assertThat(fallback).isEqualTo("plugin");
        String fromFallback = client.execute(
                channel -> Long.toString(CalculatorGrpc.newBlockingStub(channel).add(pair(1, 2)).getValue()),
                error -> "fallback");
        assertThat(fromFallback).isEqualTo("fallback");

        client.restart();

        assertThat(client.state()).isEqualTo(PluginState.READY);
        assertThat(calculator(client).add(pair(1, 1)).getValue()).isEqualTo(2);
    }

    @Test
    void stoppedPluginRejectsCalls() {
        PluginClient client = start(PluginClient.builder(CalculatorPlugin.config("calculator-stopped").build()));
        long pid = client.status().pid();

        client.stop();
        Throwable failure = catchThrowable(() -> calculator(client).add(pair(1, 1)));

        assertThat(client.state()).isEqualTo(PluginState.STOPPED);
        assertThat(CalculatorPlugin.isAlive(pid)).as("plugin process alive after stop()").isFalse();
        assertThat(failure.getCause()).isInstanceOf(PluginUnavailableException.class);
        assertThat(((PluginException) failure.getCause()).code()).isEqualTo(ErrorCode.PLUGIN_STOPPED);
    }

    /** Prints the median time from SIGKILL to the next successful call; it asserts only an upper bound. */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void killToNextSuccessMedian() {
        PluginClient client = start(PluginClient.builder(CalculatorPlugin.config("calculator-recovery").build())
                .retry(RetryPolicy.defaults().withIdempotentMethods(List.of(CalculatorPlugin.IDEMPOTENT_SERVICE)))
                .restart(RestartPolicy.defaults().withBudget(100, Duration.ofMinutes(5))
                        .withBackoff(Duration.ofMillis(200), Duration.ofMillis(200))));
        CalculatorGrpc.CalculatorBlockingStub calculator = calculator(client);
        List<Long> millis = new ArrayList<>();

        for (int run = 0; run < 20; run++) {
            long pid = client.status().pid();
            long killed = System.nanoTime();
            CalculatorPlugin.kill(pid);
            long sum = calculator.withDeadlineAfter(30, TimeUnit.SECONDS).add(pair(run, 1)).getValue();
            millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
            assertThat(sum).isEqualTo(run + 1);
            assertThat(client.status().pid()).as("pid after kill %d", run).isNotEqualTo(pid);
        }

        Collections.sort(millis);
        long median = (millis.get(9) + millis.get(10)) / 2;
        System.out.printf("SIGKILL to next successful call over 20 runs (restart backoff 200 ms +-20 %%): "
                + "median %d ms, min %d ms, max %d ms%n", median, millis.get(0), millis.get(19));
        assertThat(median).as("median ms from SIGKILL to success").isLessThan(15_000);
    }

    private static boolean hasPluginExceptionCause(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof PluginException) {
                return true;
            }
        }
        return false;
    }

    private record LoadResult(int succeeded, List<Throwable> failures) {
    }

    /** Runs {@link #CALLS} Add calls from {@link #CALLERS} threads and SIGKILLs the plugin mid-run. */
    private static LoadResult runLoadAndKill(PluginClient client, long pid) throws Exception {
        CalculatorGrpc.CalculatorBlockingStub calculator = calculator(client);
        AtomicInteger issued = new AtomicInteger();
        AtomicInteger succeeded = new AtomicInteger();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int caller = 0; caller < CALLERS; caller++) {
                running.add(callers.submit(() -> {
                    for (int call = issued.getAndIncrement(); call < CALLS; call = issued.getAndIncrement()) {
                        if (call == KILL_AFTER_CALLS) {
                            CalculatorPlugin.kill(pid);
                        }
                        try {
                            long sum = calculator.add(pair(call, 1)).getValue();
                            assertThat(sum).isEqualTo(call + 1L);
                            succeeded.incrementAndGet();
                        } catch (StatusRuntimeException failure) {
                            failures.add(failure);
                        }
                    }
                }));
            }
            for (Future<?> caller : running) {
                caller.get(90, TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdownNow();
        }
        return new LoadResult(succeeded.get(), new ArrayList<>(failures));
    }
}
