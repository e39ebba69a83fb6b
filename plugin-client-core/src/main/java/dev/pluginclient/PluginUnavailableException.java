package dev.pluginclient;

import java.time.Instant;
import java.util.Optional;

/**
 * Raised, without calling the plugin, when the plugin cannot take calls: its circuit breaker is
 * open, it has FAILED after using up its restart budget, or it was stopped.
 */
public class PluginUnavailableException extends PluginException {

    private final Instant retryAfter;

    public PluginUnavailableException(String pluginName, ErrorCode code, String message, String hint,
            Instant retryAfter, Throwable cause) {
        this(pluginName, code, message, hint, retryAfter, cause, true);
    }

    /** Creates the exception, without a stack trace when {@code writableStackTrace} is false. */
    public PluginUnavailableException(String pluginName, ErrorCode code, String message, String hint,
            Instant retryAfter, Throwable cause, boolean writableStackTrace) {
        super(pluginName, code, message, hint, null, cause, writableStackTrace);
        this.retryAfter = retryAfter;
    }

    /** When the plugin is expected to accept calls again, if that is known. */
    public Optional<Instant> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
