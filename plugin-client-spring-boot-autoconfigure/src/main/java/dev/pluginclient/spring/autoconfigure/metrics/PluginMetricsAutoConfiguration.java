package dev.pluginclient.spring.autoconfigure.metrics;

import dev.pluginclient.spring.autoconfigure.PluginClientAutoConfiguration;
import dev.pluginclient.spring.autoconfigure.PluginClients;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Adds {@link PluginMetrics} when the application has a Micrometer {@link MeterRegistry}. Spring
 * Boot binds it to the registry once all singletons exist.
 */
@AutoConfiguration(after = PluginClientAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, PluginClients.class })
public class PluginMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public PluginMetrics pluginMetrics(PluginClients clients) {
        return new PluginMetrics(clients);
    }
}
