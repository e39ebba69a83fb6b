package dev.pluginclient.transport;

import dev.pluginclient.PluginConfig;
import dev.pluginclient.PluginConnection;
import dev.pluginclient.log.PluginLogRelay;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * The part of a plugin connection that its gRPC session and its address determine, shared by plugins
 * this host started and plugins it reattached to. Subclasses own the process: its pid, liveness and
 * stop sequence.
 */
public abstract class SessionConnection implements PluginConnection {

    protected final PluginConfig config;
    protected final GrpcSession session;
    protected final PluginLogRelay relay;
    /** Completed by the subclass when the process is gone, and never exceptionally. */
    protected final CompletableFuture<PluginExit> exit = new CompletableFuture<>();

    private final String network;
    private final String address;
    private final boolean tls;
    private final int protocolVersion;
    private final Instant startedAt;
    private final Duration startDuration;

    protected SessionConnection(PluginConfig config, GrpcSession session, PluginLogRelay relay, String network,
            String address, boolean tls, int protocolVersion, Instant startedAt, Duration startDuration) {
        this.config = config;
        this.session = session;
        this.relay = relay;
        this.network = network;
        this.address = address;
        this.tls = tls;
        this.protocolVersion = protocolVersion;
        this.startedAt = startedAt;
        this.startDuration = startDuration;
    }

    @Override
    public String pluginName() {
        return config.name();
    }

    @Override
    public String address() {
        return address;
    }

    @Override
    public String transport() {
        return network + (tls ? "+mtls" : "");
    }

    @Override
    public int protocolVersion() {
        return protocolVersion;
    }

    @Override
    public ManagedChannel channel() {
        return session.channel();
    }

    @Override
    public Instant startedAt() {
        return startedAt;
    }

    @Override
    public Duration startDuration() {
        return startDuration;
    }

    @Override
    public CompletableFuture<PluginExit> onExit() {
        return exit;
    }

    @Override
    public boolean checkHealth(Duration timeout) {
        return session.checkHealth(timeout);
    }

    @Override
    public String stderrTail() {
        return relay.stderrTail();
    }
}
