package dev.pluginclient.spring.autoconfigure.health;

import dev.pluginclient.spring.autoconfigure.PluginClientAutoConfiguration;
import dev.pluginclient.spring.autoconfigure.PluginClients;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Adds the {@code plugins} health contributor with one component per plugin, at
 * {@code components.plugins.components.<name>} of {@code /actuator/health}. Turn it off with
 * {@code management.health.plugins.enabled=false}.
 *
 * <p>Add it to readiness with
 * {@code management.endpoint.health.group.readiness.include=readinessState,plugins}. An optional plugin
 * that is DOWN then makes the application not ready, so to keep optional plugins out, list the
 * required ones instead, for example {@code readinessState,plugins/calculator}.
 */
@AutoConfiguration(after = PluginClientAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(PluginClients.class)
@ConditionalOnEnabledHealthIndicator("plugins")
public class PluginHealthContributorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "pluginsHealthContributor")
    public CompositeHealthContributor pluginsHealthContributor(PluginClients clients) {
        Map<String, HealthContributor> components = new LinkedHashMap<>();
        for (String name : clients.names()) {
            components.put(name, new PluginHealthIndicator(clients, name));
        }
        return CompositeHealthContributor.fromMap(components);
    }
}
