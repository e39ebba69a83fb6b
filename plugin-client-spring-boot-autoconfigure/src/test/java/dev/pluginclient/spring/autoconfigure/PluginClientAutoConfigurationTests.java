package dev.pluginclient.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pluginclient.PluginClient;
import dev.pluginclient.health.HealthPolicy;
import dev.pluginclient.resilience.CircuitBreakerPolicy;
import dev.pluginclient.resilience.RetryPolicy;
import dev.pluginclient.supervision.RestartPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Binding, defaults merge, bean registration and the enabled flag, without starting a plugin. */
class PluginClientAutoConfigurationTests {

    static final String[] CALCULATOR = {
            "plugin-client.plugins.calculator.command=java,-jar,calculator.jar",
            "plugin-client.plugins.calculator.handshake.magic-cookie-key=CALCULATOR_PLUGIN",
            "plugin-client.plugins.calculator.handshake.magic-cookie-value=calculator-v1-7d2f4c",
            "plugin-client.plugins.calculator.lazy=true" };

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PluginClientAutoConfiguration.class))
            .withUserConfiguration(BuilderCapture.class);

    @Test
    void noPluginsGivesEmptyRegistry() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(PluginClients.class).names()).isEmpty();
            assertThat(context.getBeansOfType(PluginClient.class)).isEmpty();
        });
    }

    @Test
    void enabledFalseTurnsEverythingOff() {
        runner.withPropertyValues(CALCULATOR).withPropertyValues("plugin-client.enabled=false").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(PluginClients.class);
            assertThat(context).doesNotHaveBean(PluginClientLifecycle.class);
            assertThat(context.getBeansOfType(PluginClient.class)).isEmpty();
        });
    }

    @Test
    void clientBeanNamedAndQualifiedByPlugin() {
        runner.withPropertyValues(CALCULATOR)
                .withPropertyValues("plugin-client.plugins.other.command=other-plugin",
                        "plugin-client.plugins.other.handshake.magic-cookie-key=OTHER",
                        "plugin-client.plugins.other.handshake.magic-cookie-value=x",
                        "plugin-client.plugins.other.lazy=true")
                .withUserConfiguration(QualifiedConsumer.class)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    PluginClient calculator = context.getBean("calculator", PluginClient.class);
                    assertThat(calculator.name()).isEqualTo("calculator");
                    assertThat(context.getBean(QualifiedConsumer.class).client).isSameAs(calculator);
                    assertThat(context.getBean(PluginClients.class).get("other"))
                            .isSameAs(context.getBean("other", PluginClient.class));
                    assertThat(context.getBean(PluginClients.class).names()).containsExactly("calculator", "other");
                });
    }

    @Test
    void everyPropertyBinds() {
        runner.withPropertyValues(
                "plugin-client.plugins.calculator.command=java,-jar,calculator.jar",
                "plugin-client.plugins.calculator.working-directory=.",
                "plugin-client.plugins.calculator.environment.LOG_LEVEL=info",
                "plugin-client.plugins.calculator.inherit-environment=false",
                "plugin-client.plugins.calculator.handshake.magic-cookie-key=CALCULATOR_PLUGIN",
                "plugin-client.plugins.calculator.handshake.magic-cookie-value=calculator-v1-7d2f4c",
                "plugin-client.plugins.calculator.handshake.protocol-versions=1,2",
                "plugin-client.plugins.calculator.auto-mtls=true",
                "plugin-client.plugins.calculator.checksum=sha256:" + "ab".repeat(32),
                "plugin-client.plugins.calculator.start-timeout=20s",
                "plugin-client.plugins.calculator.call-timeout=3s",
                "plugin-client.plugins.calculator.shutdown-timeout=1s",
                "plugin-client.plugins.calculator.min-port=20000",
                "plugin-client.plugins.calculator.max-port=20100",
                "plugin-client.plugins.calculator.allow-remote-addresses=true",
                "plugin-client.plugins.calculator.optional=true",
                "plugin-client.plugins.calculator.lazy=true",
                "plugin-client.plugins.calculator.pool.size=2",
                "plugin-client.plugins.calculator.retry.enabled=true",
                "plugin-client.plugins.calculator.retry.max-attempts=5",
                "plugin-client.plugins.calculator.retry.initial-delay=50ms",
                "plugin-client.plugins.calculator.retry.multiplier=3",
                "plugin-client.plugins.calculator.retry.max-delay=2s",
                "plugin-client.plugins.calculator.retry.jitter=0.1",
                "plugin-client.plugins.calculator.retry.idempotent-methods=*",
                "plugin-client.plugins.calculator.circuit-breaker.enabled=false",
                "plugin-client.plugins.calculator.circuit-breaker.failure-rate-threshold=40",
                "plugin-client.plugins.calculator.circuit-breaker.slow-call-rate-threshold=90",
                "plugin-client.plugins.calculator.circuit-breaker.slow-call-duration=4s",
                "plugin-client.plugins.calculator.circuit-breaker.sliding-window-size=30",
                "plugin-client.plugins.calculator.circuit-breaker.minimum-number-of-calls=5",
                "plugin-client.plugins.calculator.circuit-breaker.wait-in-open=15s",
                "plugin-client.plugins.calculator.circuit-breaker.permitted-calls-in-half-open=2",
                "plugin-client.plugins.calculator.health.enabled=false",
                "plugin-client.plugins.calculator.health.interval=2s",
                "plugin-client.plugins.calculator.health.timeout=500ms",
                "plugin-client.plugins.calculator.health.failure-threshold=4",
                "plugin-client.plugins.calculator.health.deadline-exceeded-threshold=0",
                "plugin-client.plugins.calculator.restart.enabled=false",
                "plugin-client.plugins.calculator.restart.max-restarts=3",
                "plugin-client.plugins.calculator.restart.window=1m",
                "plugin-client.plugins.calculator.restart.initial-backoff=100ms",
                "plugin-client.plugins.calculator.restart.max-backoff=5s",
                "plugin-client.plugins.calculator.restart.multiplier=1.5",
                "plugin-client.plugins.calculator.restart.jitter=0").run(context -> {
                    assertThat(context).hasNotFailed();
                    PluginClient.Builder builder = context.getBean(BuilderCapture.class).builders.get("calculator");
                    var config = builder.config();
                    assertThat(config.command()).containsExactly("java", "-jar", "calculator.jar");
                    assertThat(config.workingDirectory()).hasToString(".");
                    assertThat(config.environment()).containsExactly(Map.entry("LOG_LEVEL", "info"));
                    assertThat(config.inheritEnvironment()).isFalse();
                    assertThat(config.handshake().magicCookieKey()).isEqualTo("CALCULATOR_PLUGIN");
                    assertThat(config.handshake().magicCookieValue()).isEqualTo("calculator-v1-7d2f4c");
                    assertThat(config.handshake().protocolVersions()).containsExactly(1, 2);
                    assertThat(config.autoMtls()).isTrue();
                    assertThat(config.checksum().hex()).isEqualTo("ab".repeat(32));
                    assertThat(config.startTimeout()).isEqualTo(Duration.ofSeconds(20));
                    assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(1));
                    assertThat(config.minPort()).isEqualTo(20000);
                    assertThat(config.maxPort()).isEqualTo(20100);
                    assertThat(config.allowRemoteAddresses()).isTrue();
                    assertThat(builder.callTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(builder.poolSize()).isEqualTo(2);
                    assertThat(builder.retry()).isEqualTo(new RetryPolicy(true, 5, Duration.ofMillis(50), 3,
                            Duration.ofSeconds(2), 0.1, java.util.Set.of("*")));
                    assertThat(builder.circuitBreaker()).isEqualTo(new CircuitBreakerPolicy(false, 40, 90,
                            Duration.ofSeconds(4), 30, 5, Duration.ofSeconds(15), 2));
                    assertThat(builder.health()).isEqualTo(new HealthPolicy(false, Duration.ofSeconds(2),
                            Duration.ofMillis(500), 4, 0));
                    assertThat(builder.restartPolicy()).isEqualTo(new RestartPolicy(false, 3, Duration.ofMinutes(1),
                            Duration.ofMillis(100), Duration.ofSeconds(5), 1.5, 0));
                    PluginClients clients = context.getBean(PluginClients.class);
                    assertThat(clients.isOptional("calculator")).isTrue();
                    assertThat(clients.managed("calculator").lazy()).isTrue();
                });
    }

    @Test
    void unsetPropertiesEqualCoreDefaults() {
        runner.withPropertyValues(CALCULATOR).run(context -> {
            assertThat(context).hasNotFailed();
            PluginClient.Builder builder = context.getBean(BuilderCapture.class).builders.get("calculator");
            assertThat(builder.retry()).isEqualTo(RetryPolicy.defaults());
            assertThat(builder.circuitBreaker()).isEqualTo(CircuitBreakerPolicy.defaults());
            assertThat(builder.health()).isEqualTo(HealthPolicy.defaults());
            assertThat(builder.restartPolicy()).isEqualTo(RestartPolicy.defaults());
            assertThat(builder.callTimeout()).isEqualTo(PluginClient.DEFAULT_CALL_TIMEOUT);
            assertThat(builder.poolSize()).isEqualTo(1);
            var config = builder.config();
            var core = dev.pluginclient.PluginConfig.builder("core").command("x")
                    .handshake(config.handshake()).build();
            assertThat(config.startTimeout()).isEqualTo(core.startTimeout());
            assertThat(config.shutdownTimeout()).isEqualTo(core.shutdownTimeout());
            assertThat(config.minPort()).isEqualTo(core.minPort());
            assertThat(config.maxPort()).isEqualTo(core.maxPort());
            assertThat(config.inheritEnvironment()).isEqualTo(core.inheritEnvironment());
            assertThat(config.autoMtls()).isEqualTo(core.autoMtls());
            assertThat(config.allowRemoteAddresses()).isEqualTo(core.allowRemoteAddresses());
            assertThat(config.handshake().protocolVersions()).containsExactly(1);
            PluginClients clients = context.getBean(PluginClients.class);
            assertThat(clients.isOptional("calculator")).isFalse();
        });
    }

    @Test
    void pluginValuesWinOverDefaults() {
        runner.withPropertyValues(
                "plugin-client.defaults.call-timeout=3s",
                "plugin-client.defaults.retry.max-attempts=2",
                "plugin-client.defaults.environment.SHARED=from-defaults",
                "plugin-client.defaults.environment.OVERRIDDEN=from-defaults",
                "plugin-client.defaults.handshake.magic-cookie-key=SHARED_KEY",
                "plugin-client.defaults.handshake.magic-cookie-value=shared-value",
                "plugin-client.defaults.lazy=true",
                "plugin-client.plugins.first.command=first",
                "plugin-client.plugins.first.call-timeout=7s",
                "plugin-client.plugins.first.environment.OWN=from-plugin",
                "plugin-client.plugins.first.environment.OVERRIDDEN=from-plugin",
                "plugin-client.plugins.first.handshake.magic-cookie-value=first-value",
                "plugin-client.plugins.second.command=second").run(context -> {
                    assertThat(context).hasNotFailed();
                    Map<String, PluginClient.Builder> builders = context.getBean(BuilderCapture.class).builders;
                    PluginClient.Builder first = builders.get("first");
                    PluginClient.Builder second = builders.get("second");

                    assertThat(first.callTimeout()).isEqualTo(Duration.ofSeconds(7));
                    assertThat(second.callTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(first.retry().maxAttempts()).isEqualTo(2);
                    assertThat(second.retry().maxAttempts()).isEqualTo(2);
                    assertThat(first.retry().initialDelay()).isEqualTo(RetryPolicy.DEFAULT_INITIAL_DELAY);
                    assertThat(first.config().environment()).containsOnly(Map.entry("SHARED", "from-defaults"),
                            Map.entry("OVERRIDDEN", "from-plugin"), Map.entry("OWN", "from-plugin"));
                    assertThat(second.config().environment()).containsOnly(Map.entry("SHARED", "from-defaults"),
                            Map.entry("OVERRIDDEN", "from-defaults"));
                    assertThat(first.config().handshake().magicCookieKey()).isEqualTo("SHARED_KEY");
                    assertThat(first.config().handshake().magicCookieValue()).isEqualTo("first-value");
                    assertThat(second.config().handshake().magicCookieValue()).isEqualTo("shared-value");
                    assertThat(second.config().command()).containsExactly("second");
                });
    }

    @Test
    void reattachBindsWithoutCommand() {
        runner.withPropertyValues("plugin-client.plugins.remote.reattach.network=unix",
                "plugin-client.plugins.remote.reattach.address=/tmp/plugin.sock",
                "plugin-client.plugins.remote.reattach.pid=1234",
                "plugin-client.plugins.remote.reattach.protocol-version=2",
                "plugin-client.plugins.remote.lazy=true").run(context -> {
                    assertThat(context).hasNotFailed();
                    var config = context.getBean(BuilderCapture.class).builders.get("remote").config();
                    assertThat(config.isReattach()).isTrue();
                    assertThat(config.reattach().network()).isEqualTo("unix");
                    assertThat(config.reattach().address()).isEqualTo("/tmp/plugin.sock");
                    assertThat(config.reattach().pid()).isEqualTo(1234);
                    assertThat(config.reattach().protocolVersion()).isEqualTo(2);
                    assertThat(config.command()).isEmpty();
                });
    }

    @Test
    void lifecycleSkipsLazyPlugins() {
        runner.withPropertyValues(CALCULATOR).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(PluginClientLifecycle.class).isRunning()).isTrue();
            assertThat(context.getBean(PluginClients.class).isAwaitingFirstUse("calculator")).isTrue();
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class BuilderCapture {

        final Map<String, PluginClient.Builder> builders = new ConcurrentHashMap<>();

        @Bean
        PluginClientBuilderCustomizer capturingCustomizer() {
            return builders::put;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class QualifiedConsumer {

        PluginClient client;

        @Bean
        List<String> consumer(@Qualifier("calculator") PluginClient client) {
            this.client = client;
            return List.of();
        }
    }
}
