package dev.pluginclient.tests;

import static dev.pluginclient.tests.CalculatorPlugin.calculator;
import static dev.pluginclient.tests.CalculatorPlugin.faults;
import static dev.pluginclient.tests.CalculatorPlugin.pair;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.pluginclient.PluginClient;
import dev.pluginclient.calculator.v1.HangRequest;
import dev.pluginclient.event.PluginEvent;
import dev.pluginclient.health.HealthPolicy;
import dev.pluginclient.resilience.RetryPolicy;
import dev.pluginclient.supervision.PluginState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A plugin that stops responding is detected by health checks or timed-out calls, killed and restarted. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HangDetectionTest {

    private static final Duration INTERVAL = Duration.ofMillis(300);
    private static final Duration CHECK_TIMEOUT = Duration.ofMillis(300);
    private static final int THRESHOLD = 3;
    /** Generous bound on one start of the calculator plugin (a JVM), loaded machine included. */
    private static final Duration START_BOUND = Duration.ofSeconds(15);

    private final List<PluginClient> clients = new ArrayList<>();
    private final List<PluginEvent> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopClients() {
        clients.forEach(PluginClient::stop);
    }

    private PluginClient start(String name, HealthPolicy health) {
        PluginClient client = PluginClient.builder(CalculatorPlugin.config(name).build())
                .health(health)
                .retry(RetryPolicy.disabled())
                .listener(events::add)
                .build();
        clients.add(client);
        client.start();
        return client;
    }

    private static HealthPolicy fastHealth(int deadlineExceededThreshold) {
        return HealthPolicy.defaults().withInterval(INTERVAL, CHECK_TIMEOUT)
                .withThresholds(THRESHOLD, deadlineExceededThreshold);
    }

    /** Returns the maximum time to detect a hang, when every check waits its interval and times out. */
    private static Duration detectionBound() {
        return INTERVAL.plus(CHECK_TIMEOUT).multipliedBy(THRESHOLD).plus(START_BOUND);
    }

    @Test
    void sigstopIsDetectedAndRestarted() {
        PluginClient client = start("calculator-sigstop", fastHealth(0));
        long stoppedPid = client.status().pid();

        long signalled = System.nanoTime();
        CalculatorPlugin.signal("STOP", stoppedPid);
        await().atMost(detectionBound()).until(() -> client.state() == PluginState.READY
                && client.status().pid() != stoppedPid);
        Duration recovery = Duration.ofNanos(System.nanoTime() - signalled);

        assertThat(events).filteredOn(PluginEvent.HealthCheckFailed.class::isInstance).hasSizeGreaterThanOrEqualTo(
                THRESHOLD);
        await().atMost(Duration.ofSeconds(10)).until(() -> !CalculatorPlugin.isAlive(stoppedPid));
        assertThat(calculator(client).add(pair(2, 2)).getValue()).isEqualTo(4);
        System.out.printf("SIGSTOP detected and replaced by a READY process in %d ms (bound %d ms)%n",
                recovery.toMillis(), detectionBound().toMillis());
    }

    @Test
    void hangAllIsDetectedAndRestarted() {
        PluginClient client = start("calculator-hang-all", fastHealth(0));
        long hungPid = client.status().pid();

        faults(client).hang(HangRequest.newBuilder().setScope(HangRequest.Scope.ALL).build());
        await().atMost(detectionBound()).until(() -> client.state() == PluginState.READY
                && client.status().pid() != hungPid);

        assertThat(client.status().lastError()).as("last error").contains("hung");
        await().atMost(Duration.ofSeconds(10)).until(() -> !CalculatorPlugin.isAlive(hungPid));
        assertThat(calculator(client).add(pair(3, 4)).getValue()).isEqualTo(7);
    }

    @Test
    void hungCallsRestartAfterDeadlineCount() {
        int deadlineExceededThreshold = 3;
        PluginClient client = start("calculator-hang-calls", fastHealth(deadlineExceededThreshold));
        long hungPid = client.status().pid();

        faults(client).hang(HangRequest.newBuilder().setScope(HangRequest.Scope.CALLS).build());
        for (int call = 1; call <= deadlineExceededThreshold; call++) {
            Throwable failure = catchThrowable(() -> calculator(client).withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                    .add(pair(1, 1)));
            assertThat(failure).as("call %d", call).isInstanceOf(StatusRuntimeException.class);
            assertThat(((StatusRuntimeException) failure).getStatus().getCode()).as("status of call %d", call)
                    .isEqualTo(Status.Code.DEADLINE_EXCEEDED);
            if (call < deadlineExceededThreshold) {
                assertThat(client.status().pid()).as("pid after %d timed-out calls", call).isEqualTo(hungPid);
            }
        }

        await().atMost(START_BOUND).until(() -> client.state() == PluginState.READY
                && client.status().pid() != hungPid);
        assertThat(events).as("health checks kept passing").noneMatch(PluginEvent.HealthCheckFailed.class::isInstance);
        assertThat(calculator(client).withDeadlineAfter(10, TimeUnit.SECONDS).add(pair(5, 6)).getValue())
                .isEqualTo(11);
    }
}
