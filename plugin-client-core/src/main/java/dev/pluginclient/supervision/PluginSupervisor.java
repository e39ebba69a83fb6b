package dev.pluginclient.supervision;

import dev.pluginclient.PluginClient;
import dev.pluginclient.PluginConfig;
import dev.pluginclient.event.PluginEventListener;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.grpc.Channel;
import java.util.Optional;

/** Keeps the processes of one managed plugin running. Placeholder until supervision lands. */
public final class PluginSupervisor {

    private final PluginClient.Builder settings;

    public PluginSupervisor(PluginClient.Builder settings) {
        this.settings = settings;
    }

    public PluginConfig config() {
        return settings.config();
    }

    public void start() {
        throw new UnsupportedOperationException("TODO");
    }

    public void stop() {
        throw new UnsupportedOperationException("TODO");
    }

    public void restart() {
        throw new UnsupportedOperationException("TODO");
    }

    public Channel channel() {
        throw new UnsupportedOperationException("TODO");
    }

    public PluginState state() {
        return PluginState.STOPPED;
    }

    public PluginStatus status() {
        throw new UnsupportedOperationException("TODO");
    }

    public Optional<CircuitBreaker> circuitBreaker() {
        return Optional.empty();
    }

    public void addListener(PluginEventListener listener) {
    }

    public void removeListener(PluginEventListener listener) {
    }
}
