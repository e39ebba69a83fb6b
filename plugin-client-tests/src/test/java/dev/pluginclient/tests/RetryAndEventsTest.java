package dev.pluginclient.tests;

import static dev.pluginclient.tests.CalculatorPlugin.calculator;
import static dev.pluginclient.tests.CalculatorPlugin.faults;
import static dev.pluginclient.tests.CalculatorPlugin.pair;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.pluginclient.PluginClient;
import dev.pluginclient.calculator.v1.CalculatorGrpc;
import dev.pluginclient.calculator.v1.FailNextRequest;
import dev.pluginclient.calculator.v1.Number;
import dev.pluginclient.calculator.v1.Result;
import dev.pluginclient.calculator.v1.SlowRequest;
import dev.pluginclient.event.PluginEvent;
import dev.pluginclient.resilience.CircuitBreakerPolicy;
import dev.pluginclient.resilience.RetryPolicy;
import dev.pluginclient.supervision.PluginState;
import dev.pluginclient.supervision.PluginStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Retries, deadlines, fallbacks, streaming and events, on one plugin process shared by the tests. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RetryAndEventsTest {

    private static final Duration CALL_TIMEOUT = Duration.ofMillis(800);

    private final List<PluginEvent> events = new CopyOnWriteArrayList<>();
    private PluginClient client;

    @BeforeAll
    void startPlugin() {
        client = PluginClient.builder(CalculatorPlugin.config("calculator-retry").build())
                .retry(RetryPolicy.defaults().withIdempotentMethods(List.of("calculator.v1.Calculator/Add")))
                .circuitBreaker(CircuitBreakerPolicy.disabled())
                .callTimeout(CALL_TIMEOUT)
                .listener(event -> {
                    throw new IllegalStateException("a listener that always throws");
                })
                .listener(events::add)
                .build();
        client.start();
    }

    @AfterAll
    void stopPlugin() {
        client.stop();
    }

    @BeforeEach
    void resetFaults() {
        faults(client).reset(dev.pluginclient.calculator.v1.ResetRequest.getDefaultInstance());
        events.clear();
    }

    @Test
    void idempotentCallIsRetried() {
        faults(client).failNext(FailNextRequest.newBuilder().setCount(2).build());

        long sum = calculator(client).add(pair(20, 22)).getValue();

        assertThat(sum).isEqualTo(42);
        List<PluginEvent.RetryScheduled> retries = events.stream()
                .filter(PluginEvent.RetryScheduled.class::isInstance).map(PluginEvent.RetryScheduled.class::cast)
                .toList();
        assertThat(retries).hasSize(2);
        assertThat(retries.get(0).attempt()).isEqualTo(2);
        assertThat(retries.get(1).attempt()).isEqualTo(3);
        assertThat(retries.get(0).method()).isEqualTo("calculator.v1.Calculator/Add");
        assertThat(retries.get(0).cause().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(events).filteredOn(PluginEvent.CallCompleted.class::isInstance)
                .map(event -> ((PluginEvent.CallCompleted) event).status())
                .containsSubsequence(Status.Code.UNAVAILABLE, Status.Code.UNAVAILABLE, Status.Code.OK);
    }

    @Test
    void nonIdempotentCallNotRetried() {
        faults(client).failNext(FailNextRequest.newBuilder().setCount(1).build());

        Throwable failure = catchThrowable(() -> calculator(client).multiply(pair(6, 7)));

        assertThat(Status.fromThrowable(failure).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(events).noneMatch(PluginEvent.RetryScheduled.class::isInstance);
        assertThat(calculator(client).multiply(pair(6, 7)).getValue()).isEqualTo(42);
    }

    @Test
    void invalidArgumentIsNotRetried() {
        Throwable failure = catchThrowable(() -> calculator(client).divide(pair(1, 0)));

        assertThat(Status.fromThrowable(failure).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(events).noneMatch(PluginEvent.RetryScheduled.class::isInstance);
        assertThat(PluginClient.isUnavailable(failure)).isFalse();
        assertThatThrownBy(() -> client.execute(channel -> CalculatorGrpc.newBlockingStub(channel).divide(pair(1, 0)),
                error -> null)).isInstanceOf(StatusRuntimeException.class);
    }

    @Test
    void fallbackServesTransientFailure() {
        faults(client).failNext(FailNextRequest.newBuilder().setCount(1).build());

        long value = client.execute(channel -> CalculatorGrpc.newBlockingStub(channel).subtract(pair(5, 3)).getValue(),
                error -> -1L);

        assertThat(value).isEqualTo(-1L);
    }

    @Test
    void defaultCallTimeoutApplies() {
        faults(client).slow(SlowRequest.newBuilder().setDelayMillis(5_000).build());
        long started = System.nanoTime();

        Throwable failure = catchThrowable(() -> calculator(client).add(pair(1, 1)));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);

        assertThat(Status.fromThrowable(failure).getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(elapsed).isGreaterThanOrEqualTo(CALL_TIMEOUT.minusMillis(50)).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void streamingCallPassesThrough() throws Exception {
        CompletableFuture<List<Long>> sums = new CompletableFuture<>();
        List<Long> received = new ArrayList<>();
        StreamObserver<Number> requests = CalculatorGrpc.newStub(client.channel())
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .runningSum(new StreamObserver<>() {
                    @Override
                    public void onNext(Result value) {
                        received.add(value.getValue());
                    }

                    @Override
                    public void onError(Throwable failure) {
                        sums.completeExceptionally(failure);
                    }

                    @Override
                    public void onCompleted() {
                        sums.complete(received);
                    }
                });
        for (long number = 1; number <= 4; number++) {
            requests.onNext(Number.newBuilder().setValue(number).build());
        }
        requests.onCompleted();

        assertThat(sums.get(10, TimeUnit.SECONDS)).containsExactly(1L, 3L, 6L, 10L);
    }

    @Test
    void statusDescribesMembers() {
        PluginStatus status = client.status();

        assertThat(status.state()).isEqualTo(PluginState.READY);
        assertThat(status.members()).hasSize(1);
        PluginStatus.Member member = status.members().get(0);
        assertThat(member.pid()).isPositive();
        assertThat(member.address()).isNotBlank();
        assertThat(member.transport()).isNotBlank();
        assertThat(member.protocolVersion()).isEqualTo(1);
        assertThat(member.startedAt()).isNotNull();
        assertThat(member.outstandingCalls()).isZero();
        assertThat(status.circuitBreakerState()).isEqualTo("DISABLED");
        assertThat(status.toString()).doesNotContain(CalculatorPlugin.COOKIE_VALUE);
    }
}
