package dev.pluginclient.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pluginclient.spring.autoconfigure.actuate.endpoint.PluginsEndpoint;
import dev.pluginclient.spring.autoconfigure.actuate.endpoint.PluginsEndpointAutoConfiguration;
import dev.pluginclient.spring.autoconfigure.health.PluginHealthContributorAutoConfiguration;
import dev.pluginclient.spring.autoconfigure.metrics.PluginMetrics;
import dev.pluginclient.spring.autoconfigure.metrics.PluginMetricsAutoConfiguration;
import dev.pluginclient.supervision.PluginState;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Presence and absence of the health contributor, the endpoint and the meters. */
class PluginObservabilityAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PluginClientAutoConfiguration.class,
                    PluginHealthContributorAutoConfiguration.class, PluginsEndpointAutoConfiguration.class,
                    PluginMetricsAutoConfiguration.class))
            .withPropertyValues(PluginClientAutoConfigurationTests.CALCULATOR);

    private final ApplicationContextRunner withMetrics = runner.withConfiguration(AutoConfigurations.of(
            MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
            SimpleMetricsExportAutoConfiguration.class));

    @Test
    void healthContributorPerPlugin() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            CompositeHealthContributor plugins = context.getBean("pluginsHealthContributor",
                    CompositeHealthContributor.class);
            HealthIndicator calculator = (HealthIndicator) plugins.getContributor("calculator");
            assertThat(calculator).isNotNull();
            // A lazy plugin that was not used yet must not hold back readiness.
            assertThat(calculator.health().getStatus()).isEqualTo(Status.UNKNOWN);
            assertThat(calculator.health().getDetails()).containsEntry("state", PluginState.STOPPED)
                    .containsEntry("lazy", true);
        });
    }

    @Test
    void healthContributorOffByProperty() {
        runner.withPropertyValues("management.health.plugins.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean("pluginsHealthContributor"));
    }

    @Test
    void healthContributorOffWithoutHealthModule() {
        runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean("pluginsHealthContributor");
                });
    }

    @Test
    void healthContributorOffWhenDisabled() {
        runner.withPropertyValues("plugin-client.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean("pluginsHealthContributor"));
    }

    @Test
    void endpointAbsentUnlessExposed() {
        runner.run(context -> assertThat(context).doesNotHaveBean(PluginsEndpoint.class));
    }

    @Test
    void endpointPresentWhenExposed() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=health,plugins").run(context -> {
            assertThat(context).hasSingleBean(PluginsEndpoint.class);
            PluginsEndpoint endpoint = context.getBean(PluginsEndpoint.class);
            assertThat(endpoint.plugins().plugins()).containsOnlyKeys("calculator");
            PluginsEndpoint.PluginDescriptor calculator = endpoint.plugin("calculator");
            assertThat(calculator.state()).isEqualTo(PluginState.STOPPED);
            assertThat(calculator.lazy()).isTrue();
            assertThat(endpoint.plugin("missing")).isNull();
            assertThat(endpoint.restart("missing")).isNull();
        });
    }

    @Test
    void endpointAbsentWhenAccessNone() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=plugins",
                "management.endpoint.plugins.access=NONE")
                .run(context -> assertThat(context).doesNotHaveBean(PluginsEndpoint.class));
    }

    @Test
    void endpointAbsentWithoutActuator() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=plugins")
                .withClassLoader(new FilteredClassLoader(Endpoint.class))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(PluginsEndpoint.class);
                });
    }

    @Test
    void metersRegisteredWithRegistry() {
        withMetrics.run(context -> {
            assertThat(context).hasSingleBean(PluginMetrics.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.get("plugin.up").tag("plugin", "calculator").gauge().value()).isZero();
            assertThat(registry.get("plugin.circuit.state").tag("plugin", "calculator").tag("state", "closed")
                    .gauge()).isNotNull();
            assertThat(registry.get("plugin.restarts").tag("plugin", "calculator").functionCounter()).isNotNull();
        });
    }

    @Test
    void metricsAbsentWithoutRegistry() {
        runner.run(context -> assertThat(context).doesNotHaveBean(PluginMetrics.class));
    }

    @Test
    void metricsAbsentWithoutMicrometer() {
        runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class)).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(PluginMetrics.class);
        });
    }
}
