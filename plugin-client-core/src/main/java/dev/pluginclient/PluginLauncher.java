package dev.pluginclient;

/** Starts plugin processes, or attaches to running ones, and completes the go-plugin handshake. */
public final class PluginLauncher {

    private PluginLauncher() {
    }

    /**
     * Starts the plugin from {@code config.command()} (or reattaches when {@code config.reattach()}
     * is set), completes the handshake, connects and checks health.
     *
     * @throws PluginException typed by the fault: configuration, transport, handshake, protocol or security
     */
    public static PluginConnection connect(PluginConfig config) {
        throw new UnsupportedOperationException("TODO");
    }
}
