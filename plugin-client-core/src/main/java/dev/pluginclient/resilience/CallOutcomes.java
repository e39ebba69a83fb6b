package dev.pluginclient.resilience;

import dev.pluginclient.PluginException;
import io.grpc.Status;
import java.io.IOException;
import java.net.ConnectException;

/** Classification of the status an attempt ended with, shared by the retry and circuit breaker. */
public final class CallOutcomes {

    private CallOutcomes() {
    }

    /**
     * Tells whether the circuit breaker counts this status as a failure: transient failures (see
     * {@link PluginException#isTransient(Throwable)}) and DEADLINE_EXCEEDED. Every other status,
     * INVALID_ARGUMENT for example, shows that the plugin answered and counts as a success.
     */
    public static boolean isCircuitBreakerFailure(Status status) {
        if (status.isOk()) {
            return false;
        }
        return status.getCode() == Status.Code.DEADLINE_EXCEEDED || isTransient(status);
    }

    /** Tells whether a retry may succeed without any change by the caller. */
    public static boolean isTransient(Status status) {
        if (status.isOk()) {
            return false;
        }
        // The same rule as PluginException.isTransient, without building an exception for every failed call.
        if (status.getCause() instanceof PluginException plugin) {
            return PluginException.isTransient(plugin);
        }
        return status.getCode() == Status.Code.UNAVAILABLE || status.getCode() == Status.Code.RESOURCE_EXHAUSTED;
    }

    /**
     * Maps a failure of the connection itself to UNAVAILABLE. grpc-java reports some of them as
     * UNKNOWN (for example "channel closed" when the peer dies while a request is written), but
     * they are transport faults that a new connection can fix, like every other UNAVAILABLE.
     */
    public static Status normalizeTransportFailure(Status status) {
        if (status.getCode() == Status.Code.UNKNOWN && isTransportFailure(status)) {
            return Status.UNAVAILABLE.withDescription("connection to the plugin failed: " + status.getDescription())
                    .withCause(status.getCause());
        }
        return status;
    }

    /**
     * Tells whether the status was made by the local transport (it carries an I/O exception) rather
     * than sent by the plugin, whose statuses arrive without a cause.
     */
    public static boolean isTransportFailure(Status status) {
        for (Throwable cause = status.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    /** Tells whether the status shows that the connection was refused, so the request never left the host. */
    public static boolean isConnectionRefused(Status status) {
        if (status.getCode() != Status.Code.UNAVAILABLE) {
            return false;
        }
        for (Throwable cause = status.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }
}
