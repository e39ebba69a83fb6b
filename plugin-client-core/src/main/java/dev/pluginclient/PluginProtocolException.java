package dev.pluginclient;

/** Raised when the plugin completed the handshake but speaks the protocol in a way this host does not support. */
public class PluginProtocolException extends PluginException {

    public PluginProtocolException(String pluginName, ErrorCode code, String message, String hint) {
        super(pluginName, code, message, hint);
    }

    public PluginProtocolException(String pluginName, ErrorCode code, String message, String hint, String stderrTail,
            Throwable cause) {
        super(pluginName, code, message, hint, stderrTail, cause);
    }
}
