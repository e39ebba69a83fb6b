package dev.pluginclient.spring.autoconfigure.health;

import dev.pluginclient.PluginClient;
import dev.pluginclient.spring.autoconfigure.PluginClients;
import dev.pluginclient.supervision.PluginState;
import dev.pluginclient.supervision.PluginStatus;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of one plugin: UP only when it is READY. A lazy plugin that was not used yet is UNKNOWN, so
 * it does not hold back readiness, and every other state is DOWN.
 *
 * <p>Details: {@code state}, {@code pid}, {@code restarts}, {@code protocolVersion},
 * {@code transport}, {@code circuitBreaker}, and {@code lastError} with {@code lastErrorAt} when a
 * start, health check or restart failed. No cookie, certificate or environment value is shown.
 */
public class PluginHealthIndicator implements HealthIndicator {

    private final PluginClients clients;
    private final String name;

    public PluginHealthIndicator(PluginClients clients, String name) {
        this.clients = clients;
        this.name = name;
    }

    @Override
    public Health health() {
        PluginClient client = clients.get(name);
        if (clients.isAwaitingFirstUse(name)) {
            return Health.unknown().withDetail("state", PluginState.STOPPED).withDetail("lazy", true).build();
        }

        PluginStatus status = client.status();
        Health.Builder health = status.state() == PluginState.READY ? Health.up() : Health.down();
        health.withDetail("state", status.state());
        if (status.pid() > 0) {
            health.withDetail("pid", status.pid());
        }
        health.withDetail("restarts", status.restarts());
        if (status.protocolVersion() > 0) {
            health.withDetail("protocolVersion", status.protocolVersion());
        }
        if (status.transport() != null) {
            health.withDetail("transport", status.transport());
        }
        health.withDetail("circuitBreaker", status.circuitBreakerState());
        if (status.members().size() > 1) {
            health.withDetail("poolSize", status.members().size());
            health.withDetail("readyMembers",
                    status.members().stream().filter(member -> member.state() == PluginState.READY).count());
        }
        if (status.lastError() != null) {
            health.withDetail("lastError", status.lastError());
            if (status.lastErrorAt() != null) {
                health.withDetail("lastErrorAt", status.lastErrorAt().toString());
            }
        }
        if (clients.isOptional(name)) {
            health.withDetail("optional", true);
        }
        return health.build();
    }
}
