package dev.pluginclient.spring.autoconfigure.actuate.endpoint;

import dev.pluginclient.spring.autoconfigure.PluginClientAutoConfiguration;
import dev.pluginclient.spring.autoconfigure.PluginClients;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** Adds the {@code plugins} actuator endpoint when the application has it enabled and exposed. */
@AutoConfiguration(after = PluginClientAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(PluginClients.class)
public class PluginsEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    public PluginsEndpoint pluginsEndpoint(PluginClients clients) {
        return new PluginsEndpoint(clients);
    }
}
