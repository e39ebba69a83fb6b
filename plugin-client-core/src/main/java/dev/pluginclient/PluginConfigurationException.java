package dev.pluginclient;

/** Raised when configuration is invalid: a property has a value that cannot work. */
public class PluginConfigurationException extends PluginException {

    public PluginConfigurationException(String pluginName, ErrorCode code, String message, String hint) {
        super(pluginName, code, message, hint);
    }

    public PluginConfigurationException(String pluginName, ErrorCode code, String message, String hint, String stderrTail,
            Throwable cause) {
        super(pluginName, code, message, hint, stderrTail, cause);
    }
}
