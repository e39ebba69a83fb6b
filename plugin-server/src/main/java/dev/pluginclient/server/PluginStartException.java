package dev.pluginclient.server;

/**
 * Thrown by {@link GoPluginServer#start()} when the plugin cannot serve in the environment its host
 * gave it: a missing or wrong magic cookie, an invalid port range, no free port, an invalid client
 * certificate or a listener that cannot be opened. {@link GoPluginServer#serve()} prints the
 * message on standard error and exits with status 1.
 */
public class PluginStartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean plainText;

    PluginStartException(String message) {
        this(message, null, false);
    }

    PluginStartException(String message, Throwable cause) {
        this(message, cause, false);
    }

    PluginStartException(String message, Throwable cause, boolean plainText) {
        super(message, cause);
        this.plainText = plainText;
    }

    // True for messages meant for a person who ran the plugin by hand, printed as plain text like
    // go-plugin does, rather than as an hclog line for the host.
    boolean isPlainText() {
        return plainText;
    }
}
