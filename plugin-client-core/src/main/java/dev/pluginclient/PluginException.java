package dev.pluginclient;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.Objects;

/**
 * Base type of every failure this library reports. It names the plugin, carries a stable
 * {@link ErrorCode} and a hint with the fix for the user, and, when the plugin process died,
 * the tail of its standard error.
 */
public class PluginException extends RuntimeException {

    private final String pluginName;
    private final ErrorCode code;
    private final String hint;
    private final String stderrTail;

    public PluginException(String pluginName, ErrorCode code, String message, String hint, String stderrTail,
            Throwable cause) {
        this(pluginName, code, message, hint, stderrTail, cause, true);
    }

    /**
     * Creates an exception, optionally without a stack trace: rejections that happen thousands of
     * times a second (an open circuit) would otherwise spend most of their time filling one in.
     */
    protected PluginException(String pluginName, ErrorCode code, String message, String hint, String stderrTail,
            Throwable cause, boolean writableStackTrace) {
        super(message, cause, true, writableStackTrace);
        this.pluginName = Objects.requireNonNull(pluginName, "pluginName");
        this.code = Objects.requireNonNull(code, "code");
        this.hint = hint;
        this.stderrTail = stderrTail;
    }

    public PluginException(String pluginName, ErrorCode code, String message, String hint) {
        this(pluginName, code, message, hint, null, null);
    }

    public String pluginName() {
        return pluginName;
    }

    public ErrorCode code() {
        return code;
    }

    /** The suggested fix, or {@code null} when there is none to give. */
    public String hint() {
        return hint;
    }

    /** The last lines the plugin wrote to standard error before it died, or {@code null}. */
    public String stderrTail() {
        return stderrTail;
    }

    /** The message without the plugin name, code, hint and stderr decoration. */
    public String reason() {
        return super.getMessage();
    }

    @Override
    public String getMessage() {
        StringBuilder text = new StringBuilder();
        text.append("Plugin '").append(pluginName).append("': ").append(super.getMessage());
        text.append(" [").append(code).append(']');
        if (hint != null && !hint.isBlank()) {
            text.append(" Hint: ").append(hint);
        }
        if (stderrTail != null && !stderrTail.isBlank()) {
            text.append(System.lineSeparator()).append("Last lines of the plugin's stderr:");
            text.append(System.lineSeparator()).append(stderrTail.stripTrailing());
        }
        return text.toString();
    }

    /**
     * Tells whether a failure is transient, that is whether the same call may succeed when tried
     * again later without any change by the caller. Retry policies use this predicate.
     *
     * <p>Transient: gRPC UNAVAILABLE and RESOURCE_EXHAUSTED, transport faults, a plugin that is
     * restarting or exited (it will be restarted). Not transient: every other gRPC status
     * (INVALID_ARGUMENT, DEADLINE_EXCEEDED and so on), configuration, handshake, protocol and
     * security faults, an open circuit, and a plugin that is FAILED or STOPPED.
     */
    public static boolean isTransient(Throwable failure) {
        for (Throwable current = failure; current != null; current = current.getCause()) {
            if (current instanceof PluginException plugin) {
                return plugin.isTransientCode();
            }
            Status status = statusOf(current);
            if (status != null) {
                if (status.getCause() instanceof PluginException plugin) {
                    return plugin.isTransientCode();
                }
                return status.getCode() == Status.Code.UNAVAILABLE
                        || status.getCode() == Status.Code.RESOURCE_EXHAUSTED;
            }
            if (current.getCause() == current) {
                break;
            }
        }
        return false;
    }

    private boolean isTransientCode() {
        return this instanceof PluginTransportException
                || code == ErrorCode.RESTARTING
                || code == ErrorCode.PLUGIN_EXITED;
    }

    private static Status statusOf(Throwable failure) {
        if (failure instanceof StatusRuntimeException runtime) {
            return runtime.getStatus();
        }
        if (failure instanceof StatusException checked) {
            return checked.getStatus();
        }
        return null;
    }
}
