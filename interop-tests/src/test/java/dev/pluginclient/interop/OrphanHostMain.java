package dev.pluginclient.interop;

import dev.pluginclient.HandshakeConfig;
import dev.pluginclient.PluginConfig;
import dev.pluginclient.PluginConnection;
import dev.pluginclient.PluginLauncher;
import java.util.List;

/**
 * A host JVM for the orphan test: starts the plugin given as arguments, prints its pid and waits
 * to be killed.
 */
public final class OrphanHostMain {

    private OrphanHostMain() {
    }

    public static void main(String[] arguments) throws InterruptedException {
        PluginConfig config = PluginConfig.builder("orphan-test")
                .command(List.of(arguments))
                .handshake(HandshakeConfig.of(Peers.COOKIE_KEY, Peers.COOKIE_VALUE, 1))
                .build();
        PluginConnection connection = PluginLauncher.connect(config);
        System.out.println("PLUGIN_PID=" + connection.pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
