package dev.pluginclient.supervision;

import java.time.Duration;
import java.util.Objects;

/**
 * When a plugin that exited or hung is started again. Restarts wait with exponential backoff and
 * jitter; once {@code maxRestarts} restarts happened within {@code window}, the plugin is FAILED and
 * stays so until {@code PluginClient.restart()} is called.
 *
 * @param enabled whether the plugin is restarted at all
 * @param maxRestarts the restart budget within {@code window}
 * @param window the sliding time window of the budget
 * @param initialBackoff the wait before the first restart after a healthy run (a process that ran at least
 *        10 seconds counts as healthy, and its next restart waits {@code initialBackoff} again)
 * @param maxBackoff the upper bound of one wait
 * @param multiplier how much the wait grows per consecutive restart
 * @param jitter random spread of each wait as a fraction in [0, 1]
 */
public record RestartPolicy(boolean enabled, int maxRestarts, Duration window, Duration initialBackoff,
        Duration maxBackoff, double multiplier, double jitter) {

    public RestartPolicy {
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("restart max-restarts must be 0 or more, got " + maxRestarts);
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("restart window must be positive, got " + window);
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("restart backoff must satisfy 0 <= initial-backoff <= max-backoff, got "
                    + initialBackoff + " and " + maxBackoff);
        }
        if (!(multiplier >= 1.0) || !(jitter >= 0.0 && jitter <= 1.0)) {
            throw new IllegalArgumentException("restart multiplier must be >= 1 and jitter in [0, 1], got " + multiplier
                    + " and " + jitter);
        }
    }

    /** On; at most 10 restarts in 5 minutes, waiting 200 ms doubling to 30 s with 20 % jitter. */
    public static RestartPolicy defaults() {
        return new RestartPolicy(true, 10, Duration.ofMinutes(5), Duration.ofMillis(200), Duration.ofSeconds(30), 2.0,
                0.2);
    }

    public static RestartPolicy disabled() {
        return new RestartPolicy(false, 0, Duration.ofMinutes(5), Duration.ofMillis(200), Duration.ofSeconds(30), 2.0,
                0.2);
    }

    public RestartPolicy withBudget(int restarts, Duration within) {
        return new RestartPolicy(enabled, restarts, within, initialBackoff, maxBackoff, multiplier, jitter);
    }

    public RestartPolicy withBackoff(Duration initial, Duration max) {
        return new RestartPolicy(enabled, maxRestarts, window, initial, max, multiplier, jitter);
    }
}
