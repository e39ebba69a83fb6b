package dev.pluginclient.resilience;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.grpc.Status;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the per-plugin circuit breaker (resilience4j, count-based sliding window). A call
 * counts as failed when it ends with a transient failure or DEADLINE_EXCEEDED; application errors
 * such as INVALID_ARGUMENT count as successes, because the plugin answered.
 *
 * @param enabled whether calls go through a circuit breaker
 * @param failureRateThreshold percentage of failed calls in the window that opens the circuit
 * @param slowCallRateThreshold percentage of slow calls in the window that opens the circuit
 * @param slowCallDuration calls slower than this count as slow
 * @param slidingWindowSize how many recent calls the rates are computed over
 * @param minimumNumberOfCalls calls needed in the window before a rate is computed
 * @param waitInOpen how long the circuit stays open before it lets trial calls through
 * @param permittedCallsInHalfOpen how many trial calls decide whether the circuit closes again
 */
public record CircuitBreakerPolicy(boolean enabled, float failureRateThreshold, float slowCallRateThreshold,
        Duration slowCallDuration, int slidingWindowSize, int minimumNumberOfCalls, Duration waitInOpen,
        int permittedCallsInHalfOpen) {

    public CircuitBreakerPolicy {
        Objects.requireNonNull(slowCallDuration, "slowCallDuration");
        Objects.requireNonNull(waitInOpen, "waitInOpen");
        if (!(failureRateThreshold > 0 && failureRateThreshold <= 100)) {
            throw new IllegalArgumentException("circuit-breaker failure-rate-threshold must be in (0, 100], got "
                    + failureRateThreshold);
        }
        if (!(slowCallRateThreshold > 0 && slowCallRateThreshold <= 100)) {
            throw new IllegalArgumentException("circuit-breaker slow-call-rate-threshold must be in (0, 100], got "
                    + slowCallRateThreshold);
        }
        if (slidingWindowSize < 1 || minimumNumberOfCalls < 1 || permittedCallsInHalfOpen < 1) {
            throw new IllegalArgumentException("circuit-breaker sliding-window-size, minimum-number-of-calls and "
                    + "permitted-calls-in-half-open must be at least 1");
        }
        if (waitInOpen.isNegative() || waitInOpen.isZero() || slowCallDuration.isNegative()
                || slowCallDuration.isZero()) {
            throw new IllegalArgumentException("circuit-breaker wait-in-open and slow-call-duration must be positive");
        }
    }

    /** On; opens at 50 % failures or 100 % slow calls (over 10 s) among the last 20 calls, once 10 were made. */
    public static CircuitBreakerPolicy defaults() {
        return new CircuitBreakerPolicy(true, 50, 100, Duration.ofSeconds(10), 20, 10, Duration.ofSeconds(30), 3);
    }

    public static CircuitBreakerPolicy disabled() {
        return new CircuitBreakerPolicy(false, 50, 100, Duration.ofSeconds(10), 20, 10, Duration.ofSeconds(30), 3);
    }

    public CircuitBreakerPolicy withWindow(int size, int minimumCalls) {
        return new CircuitBreakerPolicy(enabled, failureRateThreshold, slowCallRateThreshold, slowCallDuration, size,
                minimumCalls, waitInOpen, permittedCallsInHalfOpen);
    }

    public CircuitBreakerPolicy withWaitInOpen(Duration wait) {
        return new CircuitBreakerPolicy(enabled, failureRateThreshold, slowCallRateThreshold, slowCallDuration,
                slidingWindowSize, minimumNumberOfCalls, wait, permittedCallsInHalfOpen);
    }

    public CircuitBreakerPolicy withFailureRateThreshold(float percent) {
        return new CircuitBreakerPolicy(enabled, percent, slowCallRateThreshold, slowCallDuration, slidingWindowSize,
                minimumNumberOfCalls, waitInOpen, permittedCallsInHalfOpen);
    }

    public CircuitBreakerPolicy withPermittedCallsInHalfOpen(int calls) {
        return new CircuitBreakerPolicy(enabled, failureRateThreshold, slowCallRateThreshold, slowCallDuration,
                slidingWindowSize, minimumNumberOfCalls, waitInOpen, calls);
    }

    public CircuitBreakerPolicy withSlowCalls(float ratePercent, Duration duration) {
        return new CircuitBreakerPolicy(enabled, failureRateThreshold, ratePercent, duration, slidingWindowSize,
                minimumNumberOfCalls, waitInOpen, permittedCallsInHalfOpen);
    }

    /**
     * Builds the resilience4j configuration: a count-based window, automatic transition from OPEN to
     * HALF_OPEN after {@code waitInOpen}, and {@link CallOutcomes#isCircuitBreakerFailure(Status)}
     * as the failure predicate for the exceptions recorded with
     * {@link io.github.resilience4j.circuitbreaker.CircuitBreaker#onError}.
     */
    public CircuitBreakerConfig toCircuitBreakerConfig() {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(slidingWindowSize)
                .minimumNumberOfCalls(minimumNumberOfCalls)
                .failureRateThreshold(failureRateThreshold)
                .slowCallRateThreshold(slowCallRateThreshold)
                .slowCallDurationThreshold(slowCallDuration)
                .waitDurationInOpenState(waitInOpen)
                .permittedNumberOfCallsInHalfOpenState(permittedCallsInHalfOpen)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .recordException(failure -> CallOutcomes.isCircuitBreakerFailure(Status.fromThrowable(failure)))
                .writableStackTraceEnabled(false)
                .build();
    }
}
