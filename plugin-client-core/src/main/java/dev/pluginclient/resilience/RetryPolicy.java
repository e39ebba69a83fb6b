package dev.pluginclient.resilience;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * When and how often a failed call is tried again: exponential backoff with jitter, for transient
 * failures only (see {@link dev.pluginclient.PluginException#isTransient(Throwable)}).
 *
 * <p>A call that was never handed to a live plugin (the plugin was restarting, or the connection was
 * refused) is always safe to retry. A call that may have reached the plugin is retried only when
 * its method is listed in {@code idempotentMethods}: {@code *} for all methods, a full method name
 * such as {@code calculator.v1.Calculator/Add}, or a service name such as
 * {@code calculator.v1.Calculator/*}. Only unary calls are retried; streaming calls fail over to the
 * caller.
 *
 * @param enabled whether calls are retried at all
 * @param maxAttempts total attempts including the first, at least 1
 * @param initialDelay the wait before the first retry
 * @param multiplier how much the wait grows per retry, at least 1
 * @param maxDelay the upper bound of one wait
 * @param jitter the random spread of each wait as a fraction in [0, 1]: 0.2 means plus or minus 20 %
 * @param idempotentMethods methods that may be retried after they reached the plugin
 */
public record RetryPolicy(boolean enabled, int maxAttempts, Duration initialDelay, double multiplier,
        Duration maxDelay, double jitter, Set<String> idempotentMethods) {

    public static final int DEFAULT_MAX_ATTEMPTS = 4;
    public static final Duration DEFAULT_INITIAL_DELAY = Duration.ofMillis(100);
    public static final double DEFAULT_MULTIPLIER = 2.0;
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(5);
    public static final double DEFAULT_JITTER = 0.2;

    public RetryPolicy {
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        idempotentMethods = Set.copyOf(Objects.requireNonNull(idempotentMethods, "idempotentMethods"));
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("retry max-attempts must be at least 1, got " + maxAttempts);
        }
        if (initialDelay.isNegative() || initialDelay.isZero()) {
            throw new IllegalArgumentException("retry initial-delay must be positive, got " + initialDelay);
        }
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("retry max-delay " + maxDelay + " is shorter than initial-delay "
                    + initialDelay);
        }
        if (!(multiplier >= 1.0)) {
            throw new IllegalArgumentException("retry multiplier must be at least 1.0, got " + multiplier);
        }
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            throw new IllegalArgumentException("retry jitter must be between 0 and 1, got " + jitter);
        }
    }

    /** Retries on, 4 attempts, 100 ms doubling up to 5 s with 20 % jitter, no method idempotent. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(true, DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_DELAY, DEFAULT_MULTIPLIER,
                DEFAULT_MAX_DELAY, DEFAULT_JITTER, Set.of());
    }

    public static RetryPolicy disabled() {
        return new RetryPolicy(false, 1, DEFAULT_INITIAL_DELAY, DEFAULT_MULTIPLIER, DEFAULT_MAX_DELAY,
                DEFAULT_JITTER, Set.of());
    }

    public RetryPolicy withMaxAttempts(int attempts) {
        return new RetryPolicy(enabled, attempts, initialDelay, multiplier, maxDelay, jitter, idempotentMethods);
    }

    public RetryPolicy withBackoff(Duration initial, double factor, Duration max, double spread) {
        return new RetryPolicy(enabled, maxAttempts, initial, factor, max, spread, idempotentMethods);
    }

    public RetryPolicy withIdempotentMethods(List<String> methods) {
        return new RetryPolicy(enabled, maxAttempts, initialDelay, multiplier, maxDelay, jitter, Set.copyOf(methods));
    }

    /** Tells whether a method, given as {@code package.Service/Method}, may be retried after it reached the plugin. */
    public boolean isIdempotent(String fullMethodName) {
        if (idempotentMethods.contains("*") || idempotentMethods.contains(fullMethodName)) {
            return true;
        }
        int slash = fullMethodName.indexOf('/');
        return slash > 0 && idempotentMethods.contains(fullMethodName.substring(0, slash) + "/*");
    }

    /**
     * Builds the resilience4j configuration: {@code maxAttempts} attempts, waiting
     * {@code initialDelay * multiplier^(n-1)} (at most {@code maxDelay}) plus or minus {@code jitter}
     * before retry n. Which failures are retried is decided by the caller before it calls the
     * {@link io.github.resilience4j.retry.Retry.AsyncContext}, because that depends on whether the
     * attempt reached the plugin.
     */
    public RetryConfig toRetryConfig() {
        return RetryConfig.custom()
                .maxAttempts(maxAttempts)
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(initialDelay, multiplier, jitter,
                        maxDelay))
                .retryOnException(failure -> true)
                .failAfterMaxAttempts(false)
                .writableStackTraceEnabled(false)
                .build();
    }
}
