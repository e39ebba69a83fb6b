package dev.pluginclient.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pluginclient.ErrorCode;
import dev.pluginclient.PluginConfigurationException;
import dev.pluginclient.spring.autoconfigure.diagnostics.PluginConfigurationFailureAnalyzer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Invalid properties fail the context start with the full property name and a fix. */
class PluginPropertiesValidationTests {

    private static final String PLUGIN = "plugin-client.plugins.calculator.";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PluginClientAutoConfiguration.class));

    static Stream<Arguments> invalidProperties() {
        return Stream.of(
                Arguments.of(List.of(PLUGIN + "command="), PLUGIN + "command", "the command is empty"),
                Arguments.of(List.of(PLUGIN + "handshake.protocol-versions=0"),
                        PLUGIN + "handshake.protocol-versions[0]", "protocol version 0 is invalid"),
                Arguments.of(List.of(PLUGIN + "handshake.protocol-versions=1,-2"),
                        PLUGIN + "handshake.protocol-versions[1]", "protocol version -2 is invalid"),
                Arguments.of(List.of(PLUGIN + "call-timeout=-1s"), PLUGIN + "call-timeout", "is not positive"),
                Arguments.of(List.of(PLUGIN + "start-timeout=0s"), PLUGIN + "start-timeout", "is not positive"),
                Arguments.of(List.of(PLUGIN + "shutdown-timeout=-5ms"), PLUGIN + "shutdown-timeout",
                        "is not positive"),
                Arguments.of(List.of(PLUGIN + "reattach.network=unix", PLUGIN + "reattach.address=/tmp/x.sock"),
                        PLUGIN + "reattach", "both command and reattach are set"),
                Arguments.of(List.of(PLUGIN + "pool.size=0"), PLUGIN + "pool.size", "0 is less than 1"),
                Arguments.of(List.of(PLUGIN + "retry.max-attempts=0"), PLUGIN + "retry.max-attempts",
                        "0 is less than 1"),
                Arguments.of(List.of(PLUGIN + "retry.initial-delay=-100ms"), PLUGIN + "retry.initial-delay",
                        "is not positive"),
                Arguments.of(List.of(PLUGIN + "retry.jitter=1.5"), PLUGIN + "retry.jitter", "not between 0 and 1"),
                Arguments.of(List.of(PLUGIN + "retry.multiplier=0.5"), PLUGIN + "retry.multiplier", "less than 1"),
                Arguments.of(List.of(PLUGIN + "retry.max-delay=10ms"), PLUGIN + "retry.max-delay",
                        "is shorter than initial-delay"),
                Arguments.of(List.of(PLUGIN + "circuit-breaker.failure-rate-threshold=0"),
                        PLUGIN + "circuit-breaker.failure-rate-threshold", "not a percentage"),
                Arguments.of(List.of(PLUGIN + "circuit-breaker.wait-in-open=-1s"),
                        PLUGIN + "circuit-breaker.wait-in-open", "is not positive"),
                Arguments.of(List.of(PLUGIN + "health.interval=-1s"), PLUGIN + "health.interval", "is not positive"),
                Arguments.of(List.of(PLUGIN + "health.failure-threshold=0"), PLUGIN + "health.failure-threshold",
                        "less than 1"),
                Arguments.of(List.of(PLUGIN + "restart.window=0s"), PLUGIN + "restart.window", "is not positive"),
                Arguments.of(List.of(PLUGIN + "restart.initial-backoff=-1s"), PLUGIN + "restart.initial-backoff",
                        "is negative"),
                Arguments.of(List.of(PLUGIN + "min-port=30000", PLUGIN + "max-port=20000"), PLUGIN + "max-port",
                        "less than min-port"),
                Arguments.of(List.of(PLUGIN + "checksum=md5:abc"), PLUGIN + "checksum", "only sha256 is supported"),
                Arguments.of(List.of(PLUGIN + "working-directory=/does/not/exist"), PLUGIN + "working-directory",
                        "does not exist"),
                Arguments.of(List.of(PLUGIN + "handshake.magic-cookie-key="), PLUGIN + "handshake.magic-cookie-key",
                        "is missing"),
                Arguments.of(List.of("plugin-client.defaults.call-timeout=-2s"), "plugin-client.defaults.call-timeout",
                        "is not positive"),
                Arguments.of(List.of("plugin-client.defaults.command=java"), "plugin-client.defaults.command",
                        "cannot be shared"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("invalidProperties")
    void invalidPropertyNamedWithFix(List<String> properties, String propertyName, String problem) {
        List<String> all = new ArrayList<>(List.of(PLUGIN + "command=java,-jar,calculator.jar",
                PLUGIN + "handshake.magic-cookie-key=CALCULATOR_PLUGIN",
                PLUGIN + "handshake.magic-cookie-value=calculator-v1-7d2f4c", PLUGIN + "lazy=true"));
        all.addAll(properties);
        runner.withPropertyValues(all.toArray(String[]::new)).run(context -> {
            assertThat(context).hasFailed();
            Throwable failure = context.getStartupFailure();
            PluginConfigurationException cause = findCause(failure);
            assertThat(cause).as("cause of %s", failure).isNotNull();
            assertThat(cause.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
            assertThat(cause.pluginName()).isEqualTo("calculator");
            assertThat(cause.reason()).startsWith("invalid property '" + propertyName + "': ");
            assertThat(cause.reason()).contains(problem);
            assertThat(cause.hint()).isNotBlank();

            FailureAnalysis analysis = new PluginConfigurationFailureAnalyzer().analyze(failure);
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription()).contains("'" + propertyName + "'");
            assertThat(analysis.getAction()).isNotBlank();
        });
    }

    private static PluginConfigurationException findCause(Throwable failure) {
        for (Throwable current = failure; current != null; current = current.getCause()) {
            if (current instanceof PluginConfigurationException configuration) {
                return configuration;
            }
        }
        return null;
    }
}
