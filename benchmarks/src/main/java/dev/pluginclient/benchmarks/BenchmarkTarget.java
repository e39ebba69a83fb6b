package dev.pluginclient.benchmarks;

import dev.pluginclient.PluginConfig;
import dev.pluginclient.PluginConnection;
import dev.pluginclient.PluginLauncher;
import java.nio.file.Path;

/**
 * The running plugin process that a JMH benchmark calls. The driver starts one process and passes
 * its address to every JMH fork, so that all benchmarks of a run call the same process. Run alone
 * ({@code java -jar benchmarks.jar}), a benchmark starts its own process from
 * {@value #GO_PLUGIN_PROPERTY} and stops it at the end of the trial.
 */
final class BenchmarkTarget implements AutoCloseable {

    /** {@code unix} or {@code tcp}: the network of a running plugin to attach to. */
    static final String NETWORK_PROPERTY = "bench.plugin.network";
    /** The socket path or {@code host:port} of a running plugin to attach to. */
    static final String ADDRESS_PROPERTY = "bench.plugin.address";
    /** The pid of a running plugin to attach to. */
    static final String PID_PROPERTY = "bench.plugin.pid";
    /** The Go calculator plugin executable to start when no running plugin is given. */
    static final String GO_PLUGIN_PROPERTY = "bench.go.plugin";

    private final String network;
    private final String address;
    private final long pid;
    private final PluginConnection ownConnection;

    private BenchmarkTarget(String network, String address, long pid, PluginConnection ownConnection) {
        this.network = network;
        this.address = address;
        this.pid = pid;
        this.ownConnection = ownConnection;
    }

    /** Attaches to the plugin named by the system properties, or starts one. */
    static BenchmarkTarget fromSystemProperties() {
        String address = System.getProperty(ADDRESS_PROPERTY);
        if (address != null) {
            String network = System.getProperty(NETWORK_PROPERTY, "unix");
            long pid = Long.parseLong(System.getProperty(PID_PROPERTY, "0"));
            return new BenchmarkTarget(network, address, pid, null);
        }

        String executable = System.getProperty(GO_PLUGIN_PROPERTY);
        if (executable == null) {
            throw new IllegalStateException("no plugin to call: set -D" + GO_PLUGIN_PROPERTY
                    + "=<path of go-calculator-plugin>, or -D" + ADDRESS_PROPERTY + " and -D" + NETWORK_PROPERTY
                    + " for a running one");
        }
        PluginConnection connection = PluginLauncher.connect(
                GoCalculatorPlugin.config("benchmark-target", Path.of(executable)));
        String network = connection.transport().startsWith("unix") ? "unix" : "tcp";
        return new BenchmarkTarget(network, connection.address(), connection.pid(), connection);
    }

    String network() {
        return network;
    }

    String address() {
        return address;
    }

    /** Builds a config that attaches to this process; stopping a client built from it leaves the process running. */
    PluginConfig reattachConfig(String name) {
        return GoCalculatorPlugin.reattachConfig(name, network, address, pid);
    }

    @Override
    public void close() {
        if (ownConnection != null) {
            ownConnection.stop();
        }
    }
}
