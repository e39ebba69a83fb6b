package dev.pluginclient.tests;

import static dev.pluginclient.tests.CalculatorPlugin.calculator;
import static dev.pluginclient.tests.CalculatorPlugin.faults;
import static dev.pluginclient.tests.CalculatorPlugin.pair;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.pluginclient.ErrorCode;
import dev.pluginclient.PluginClient;
import dev.pluginclient.PluginUnavailableException;
import dev.pluginclient.calculator.v1.CalculatorGrpc;
import dev.pluginclient.calculator.v1.FailNextRequest;
import dev.pluginclient.event.PluginEvent;
import dev.pluginclient.resilience.CircuitBreakerPolicy;
import dev.pluginclient.resilience.RetryPolicy;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The circuit opens on failures, rejects without calling the plugin, half-opens and closes again. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CircuitBreakerTest {

    private static final int REJECTIONS = 1_000;
    private static final Duration WAIT_IN_OPEN = Duration.ofSeconds(3);

    @Test
    void circuitOpensRejectsAndCloses() {
        // A window of 4 calls: the FailNext call succeeds and the next 3 fail, 75 % > 50 %.
        CircuitBreakerPolicy policy = CircuitBreakerPolicy.defaults().withWindow(4, 4).withWaitInOpen(WAIT_IN_OPEN)
                .withFailureRateThreshold(50).withPermittedCallsInHalfOpen(2);
        List<PluginEvent> events = new CopyOnWriteArrayList<>();
        PluginClient client = PluginClient.builder(CalculatorPlugin.config("calculator-circuit").build())
                .circuitBreaker(policy)
                .retry(RetryPolicy.disabled())
                .listener(events::add)
                .build();
        try {
            client.start();
            CircuitBreaker breaker = client.circuitBreaker().orElseThrow();
            CalculatorGrpc.CalculatorBlockingStub calculator = calculator(client);

            faults(client).failNext(FailNextRequest.newBuilder().setCount(3).build());
            for (int call = 1; call <= 3; call++) {
                Throwable failure = catchThrowable(() -> calculator.add(pair(1, 1)));
                assertThat(Status.fromThrowable(failure).getCode()).as("status of failing call %d", call)
                        .isEqualTo(Status.Code.UNAVAILABLE);
            }
            // UNAVAILABLE counts once the process is known to be alive, 500 ms after the call.
            await().atMost(Duration.ofSeconds(5)).until(() -> breaker.getState() == CircuitBreaker.State.OPEN);
            assertThat(client.status().circuitBreakerState()).isEqualTo("OPEN");

            Throwable rejection = catchThrowable(() -> calculator.add(pair(1, 1)));
            assertThat(Status.fromThrowable(rejection).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(rejection.getCause()).isInstanceOf(PluginUnavailableException.class);
            PluginUnavailableException open = (PluginUnavailableException) rejection.getCause();
            assertThat(open.code()).isEqualTo(ErrorCode.CIRCUIT_OPEN);
            assertThat(open.retryAfter()).as("retryAfter").isPresent();
            assertThat(open.retryAfter().orElseThrow()).isAfter(Instant.now())
                    .isBefore(Instant.now().plus(WAIT_IN_OPEN).plusSeconds(1));
            assertThat(open.getMessage()).contains("OPEN").contains(open.retryAfter().orElseThrow().toString());
            assertThat(PluginClient.isUnavailable(rejection)).isTrue();

            long callsBefore = countCallCompleted(events);
            long notPermittedBefore = breaker.getMetrics().getNumberOfNotPermittedCalls();
            long[] nanos = new long[REJECTIONS];
            for (int call = 0; call < REJECTIONS; call++) {
                long started = System.nanoTime();
                try {
                    calculator.add(pair(call, 1));
                } catch (StatusRuntimeException expected) {
                    nanos[call] = System.nanoTime() - started;
                    continue;
                }
                throw new AssertionError("call " + call + " went through an open circuit");
            }
            Arrays.sort(nanos);
            long medianMicros = TimeUnit.NANOSECONDS.toMicros(nanos[REJECTIONS / 2]);
            System.out.printf("Open-circuit rejection over %d calls: median %d us, p99 %d us%n", REJECTIONS,
                    medianMicros, TimeUnit.NANOSECONDS.toMicros(nanos[REJECTIONS * 99 / 100]));
            assertThat(medianMicros).as("median rejection time in microseconds").isLessThan(5_000);
            assertThat(countCallCompleted(events)).as("calls that reached the plugin while OPEN")
                    .isEqualTo(callsBefore);
            assertThat(breaker.getMetrics().getNumberOfNotPermittedCalls() - notPermittedBefore)
                    .as("rejected calls").isEqualTo(REJECTIONS);

            await().atMost(WAIT_IN_OPEN.plusSeconds(5))
                    .until(() -> breaker.getState() == CircuitBreaker.State.HALF_OPEN);
            assertThat(calculator.add(pair(2, 3)).getValue()).isEqualTo(5);
            assertThat(calculator.add(pair(3, 4)).getValue()).isEqualTo(7);
            assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);

            List<String> transitions = events.stream()
                    .filter(PluginEvent.CircuitStateChanged.class::isInstance)
                    .map(event -> ((PluginEvent.CircuitStateChanged) event).to())
                    .toList();
            assertThat(transitions).containsExactly("OPEN", "HALF_OPEN", "CLOSED");
        } finally {
            client.stop();
        }
    }

    @Test
    void applicationErrorsKeepCircuitClosed() {
        CircuitBreakerPolicy policy = CircuitBreakerPolicy.defaults().withWindow(4, 4);
        PluginClient client = PluginClient.builder(CalculatorPlugin.config("calculator-circuit-app-error").build())
                .circuitBreaker(policy)
                .build();
        try {
            client.start();
            for (int call = 0; call < 10; call++) {
                Throwable failure = catchThrowable(() -> calculator(client).divide(pair(1, 0)));
                assertThat(Status.fromThrowable(failure).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            }
            assertThat(client.circuitBreaker().orElseThrow().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        } finally {
            client.stop();
        }
    }

    @Test
    void disabledCircuitReportsDisabled() {
        PluginClient client = PluginClient.builder(CalculatorPlugin.config("calculator-no-circuit").build())
                .circuitBreaker(CircuitBreakerPolicy.disabled())
                .build();
        try {
            client.start();
            assertThat(client.status().circuitBreakerState()).isEqualTo("DISABLED");
            assertThat(client.circuitBreaker()).isEmpty();
        } finally {
            client.stop();
        }
    }

    private static long countCallCompleted(List<PluginEvent> events) {
        return events.stream().filter(PluginEvent.CallCompleted.class::isInstance).count();
    }
}
