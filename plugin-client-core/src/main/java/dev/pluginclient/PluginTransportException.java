package dev.pluginclient;

/** Raised when connecting to the plugin or keeping the connection failed. */
public class PluginTransportException extends PluginException {

    public PluginTransportException(String pluginName, ErrorCode code, String message, String hint) {
        super(pluginName, code, message, hint);
    }

    public PluginTransportException(String pluginName, ErrorCode code, String message, String hint, String stderrTail,
            Throwable cause) {
        super(pluginName, code, message, hint, stderrTail, cause);
    }
}
