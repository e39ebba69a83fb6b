package dev.pluginclient.health;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings that watch a running plugin for hangs.
 *
 * @param enabled whether the periodic health check runs
 * @param interval time between two {@code grpc.health.v1.Health/Check("plugin")} calls
 * @param timeout deadline of one health check
 * @param failureThreshold consecutive failed checks after which the plugin counts as hung and is restarted
 * @param deadlineExceededThreshold consecutive ordinary calls ending in DEADLINE_EXCEEDED after which
 *        the plugin is restarted even though its health checks pass (0 turns this off)
 */
public record HealthPolicy(boolean enabled, Duration interval, Duration timeout, int failureThreshold,
        int deadlineExceededThreshold) {

    public HealthPolicy {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        if (interval.isNegative() || interval.isZero() || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("health interval and timeout must be positive, got " + interval + " and "
                    + timeout);
        }
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("health failure-threshold must be at least 1, got " + failureThreshold);
        }
        if (deadlineExceededThreshold < 0) {
            throw new IllegalArgumentException("health deadline-exceeded-threshold must be 0 or more, got "
                    + deadlineExceededThreshold);
        }
    }

    /** A check every 5 s with a 1 s timeout; 3 failures, or 5 timed-out calls in a row, mean hung. */
    public static HealthPolicy defaults() {
        return new HealthPolicy(true, Duration.ofSeconds(5), Duration.ofSeconds(1), 3, 5);
    }

    public static HealthPolicy disabled() {
        return new HealthPolicy(false, Duration.ofSeconds(5), Duration.ofSeconds(1), 3, 0);
    }

    public HealthPolicy withInterval(Duration every, Duration checkTimeout) {
        return new HealthPolicy(enabled, every, checkTimeout, failureThreshold, deadlineExceededThreshold);
    }

    public HealthPolicy withThresholds(int failures, int deadlineExceeded) {
        return new HealthPolicy(enabled, interval, timeout, failures, deadlineExceeded);
    }
}
