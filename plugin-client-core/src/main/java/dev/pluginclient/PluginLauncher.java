package dev.pluginclient;

import dev.pluginclient.process.ProcessStarter;
import dev.pluginclient.transport.ReattachedConnection;

/** Starts plugin processes, or attaches to running ones, and completes the go-plugin handshake. */
public final class PluginLauncher {

    private PluginLauncher() {
    }

    /**
     * Starts the plugin from {@code config.command()} (or reattaches when {@code config.reattach()}
     * is set), completes the handshake, connects and checks health.
     *
     * <p>Every call starts a new process: a connection, like a go-plugin client, is single-use.
     *
     * @throws PluginException typed by the fault: configuration, transport, handshake, protocol or security
     */
    public static PluginConnection connect(PluginConfig config) {
        if (config.isReattach()) {
            return ReattachedConnection.reattach(config);
        }
        return ProcessStarter.start(config);
    }
}
