package dev.pluginclient;

/** Raised when a security check failed: checksum, certificate or address policy. */
public class PluginSecurityException extends PluginException {

    public PluginSecurityException(String pluginName, ErrorCode code, String message, String hint) {
        super(pluginName, code, message, hint);
    }

    public PluginSecurityException(String pluginName, ErrorCode code, String message, String hint, String stderrTail,
            Throwable cause) {
        super(pluginName, code, message, hint, stderrTail, cause);
    }
}
