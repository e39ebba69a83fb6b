package dev.pluginclient;

/** Raised when the plugin did not complete the go-plugin handshake. */
public class PluginHandshakeException extends PluginException {

    public PluginHandshakeException(String pluginName, ErrorCode code, String message, String hint) {
        super(pluginName, code, message, hint);
    }

    public PluginHandshakeException(String pluginName, ErrorCode code, String message, String hint, String stderrTail,
            Throwable cause) {
        super(pluginName, code, message, hint, stderrTail, cause);
    }
}
