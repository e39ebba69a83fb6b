package dev.pluginclient.spring.autoconfigure.actuate.endpoint;

import dev.pluginclient.PluginClient;
import dev.pluginclient.spring.autoconfigure.PluginClients;
import dev.pluginclient.supervision.PluginState;
import dev.pluginclient.supervision.PluginStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code plugins} actuator endpoint: {@code GET /actuator/plugins} lists every plugin,
 * {@code GET /actuator/plugins/<name>} shows one, and {@code POST /actuator/plugins/<name>} restarts
 * it (also from FAILED, with a fresh restart budget) and returns its new state. Like every
 * endpoint, it is reachable over HTTP only when exposed, for example with
 * {@code management.endpoints.web.exposure.include=health,plugins}.
 */
@Endpoint(id = "plugins")
public class PluginsEndpoint {

    private final PluginClients clients;

    public PluginsEndpoint(PluginClients clients) {
        this.clients = clients;
    }

    @ReadOperation
    public PluginsDescriptor plugins() {
        Map<String, PluginDescriptor> plugins = new LinkedHashMap<>();
        for (String name : clients.names()) {
            plugins.put(name, describe(name));
        }
        return new PluginsDescriptor(plugins);
    }

    /** Returns one plugin, or {@code null} (HTTP 404) when no plugin has that name. */
    @ReadOperation
    public PluginDescriptor plugin(@Selector String name) {
        return clients.contains(name) ? describe(name) : null;
    }

    /**
     * Restarts one plugin and returns its state afterwards, or {@code null} (HTTP 404) when no plugin
     * has that name. Blocks until the plugin is READY or the restart failed.
     */
    @WriteOperation
    public PluginDescriptor restart(@Selector String name) {
        if (!clients.contains(name)) {
            return null;
        }
        clients.managed(name).restartNow();
        return describe(name);
    }

    private PluginDescriptor describe(String name) {
        PluginClient client = clients.get(name);
        if (clients.isAwaitingFirstUse(name)) {
            return new PluginDescriptor(PluginState.STOPPED, null, null, null, 0, 0, null, null, null, true,
                    clients.isOptional(name), List.of());
        }
        PluginStatus status = client.status();
        List<MemberDescriptor> members = status.members().stream()
                .map(member -> new MemberDescriptor(member.index(), member.state(), member.pid() > 0 ? member.pid() : null,
                        member.address(), member.outstandingCalls(), member.startedAt()))
                .toList();
        return new PluginDescriptor(status.state(), status.pid() > 0 ? status.pid() : null, status.address(),
                status.transport(), status.protocolVersion(), status.restarts(), status.circuitBreakerState(),
                status.lastError(), status.lastErrorAt(), clients.managed(name).lazy(), clients.isOptional(name),
                members);
    }

    /** Every plugin, by name. */
    public record PluginsDescriptor(Map<String, PluginDescriptor> plugins) {
    }

    /**
     * One plugin. {@code pid} and {@code address} are those of the first pool member, and
     * {@code members} lists all of them.
     */
    public record PluginDescriptor(PluginState state, Long pid, String address, String transport,
            int protocolVersion, long restarts, String circuitBreaker, String lastError, Instant lastErrorAt,
            boolean lazy, boolean optional, List<MemberDescriptor> members) {
    }

    /** One process of a plugin's pool. */
    public record MemberDescriptor(int index, PluginState state, Long pid, String address, int outstandingCalls,
            Instant startedAt) {
    }
}
