package dev.pluginclient.event;

import dev.pluginclient.supervision.PluginState;
import io.grpc.Status;
import java.time.Duration;
import java.time.Instant;

/**
 * Something that happened to a managed plugin. Listeners receive these on the thread that caused
 * them, so they must return quickly and must not block.
 */
public sealed interface PluginEvent {

    /** The plugin this event is about. */
    String pluginName();

    Instant timestamp();

    /** The managed plugin moved from one state to another; {@code reason} is null for an ordinary move. */
    record StateChanged(String pluginName, Instant timestamp, PluginState from, PluginState to, String reason)
            implements PluginEvent {
    }

    /** A plugin process was started; {@code restart} is false for the first start. */
    record ProcessStarted(String pluginName, Instant timestamp, long pid, String address, int protocolVersion,
            Duration startDuration, boolean restart) implements PluginEvent {
    }

    /** A plugin process ended, on request or not. */
    record ProcessExited(String pluginName, Instant timestamp, long pid, Integer exitCode, boolean expected)
            implements PluginEvent {
    }

    /** A restart was scheduled after a crash or hang. */
    record RestartScheduled(String pluginName, Instant timestamp, int restartNumber, Duration delay, String cause)
            implements PluginEvent {
    }

    /** A call is retried after a transient failure. */
    record RetryScheduled(String pluginName, Instant timestamp, String method, int attempt, Duration delay,
            Status cause) implements PluginEvent {
    }

    /** The circuit breaker changed state (CLOSED, OPEN, HALF_OPEN and so on). */
    record CircuitStateChanged(String pluginName, Instant timestamp, String from, String to)
            implements PluginEvent {
    }

    /** One attempt of a call ended; retried calls produce one event per attempt. */
    record CallCompleted(String pluginName, Instant timestamp, String method, Status.Code status, Duration duration)
            implements PluginEvent {
    }

    /** A health check failed; {@code consecutiveFailures} counts since the last success. */
    record HealthCheckFailed(String pluginName, Instant timestamp, long pid, int consecutiveFailures, String cause)
            implements PluginEvent {
    }
}
