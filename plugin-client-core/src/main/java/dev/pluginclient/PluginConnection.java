package dev.pluginclient;

import io.grpc.ManagedChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * One started (or reattached) plugin process and the gRPC channel connected to it. A connection is
 * single-use, like a go-plugin client: a restart makes a new one. {@link PluginClient} builds its
 * stable channel on top of successive connections.
 */
public interface PluginConnection extends AutoCloseable {

    String pluginName();

    /** The plugin's process id, or -1 when a reattached plugin's pid is unknown. */
    long pid();

    /** The socket path or {@code host:port} the plugin serves on. */
    String address();

    /** {@code unix} or {@code tcp}, followed by {@code +mtls} when AutoMTLS is on. */
    String transport();

    /** The negotiated app protocol version. */
    int protocolVersion();

    /** The channel to this process; it does not survive the process. */
    ManagedChannel channel();

    Instant startedAt();

    /** Time from launching the process to a connected, healthy channel. */
    Duration startDuration();

    /**
     * Completes when the process exits (or, for a reattached plugin with a known pid, when that pid
     * is gone). Never completes exceptionally.
     */
    CompletableFuture<PluginExit> onExit();

    boolean isAlive();

    /**
     * Calls {@code grpc.health.v1.Health/Check} for service {@code plugin}.
     *
     * @return true when the plugin reports SERVING (or does not implement the health service)
     * @throws io.grpc.StatusRuntimeException when the check fails or times out
     */
    boolean checkHealth(Duration timeout);

    /** The last lines the plugin wrote to stderr, for error messages. */
    String stderrTail();

    /**
     * Stops the plugin gracefully: GRPCController/Shutdown, close the channel, wait the shutdown
     * timeout, then terminate and finally kill the process and its children. Idempotent; blocks
     * until the process is gone. A reattached plugin is only disconnected, unless its config
     * requests that it be terminated.
     */
    void stop();

    /** Kills the process and its children at once (SIGKILL), for a plugin that hangs. Idempotent. */
    void kill();

    @Override
    default void close() {
        stop();
    }

    /**
     * The end of a plugin process.
     *
     * @param pid the process id
     * @param exitCode the exit status, or null when unknown (reattached process)
     * @param expected true when the host asked it to stop
     * @param stderrTail the last lines of its stderr
     */
    record PluginExit(long pid, Integer exitCode, boolean expected, String stderrTail) {
    }
}
