package dev.pluginclient.spring.autoconfigure;

import dev.pluginclient.Checksum;
import dev.pluginclient.ErrorCode;
import dev.pluginclient.HandshakeConfig;
import dev.pluginclient.PluginClient;
import dev.pluginclient.PluginConfig;
import dev.pluginclient.PluginConfigurationException;
import dev.pluginclient.ReattachConfig;
import dev.pluginclient.event.PluginEventListener;
import dev.pluginclient.health.HealthPolicy;
import dev.pluginclient.resilience.CircuitBreakerPolicy;
import dev.pluginclient.resilience.RetryPolicy;
import dev.pluginclient.supervision.RestartPolicy;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.convert.DurationStyle;

/**
 * Turns the merged properties of one plugin into a {@link PluginClient}, after checking every value.
 *
 * <p>Each invalid value is reported as a {@link PluginConfigurationException} that names the full
 * property ({@code plugin-client.plugins.calculator.command}, or {@code plugin-client.defaults.*}
 * when the value was inherited) and the fix. The checks run when the application context starts,
 * also for lazy and optional plugins.
 */
public final class PluginClientFactory {

    private static final Pattern CORE_PROPERTY = Pattern.compile("^invalid property '([^']+)': (.*)$",
            Pattern.DOTALL);

    private final PluginPropertiesBinder binder;
    private final List<PluginEventListener> listeners;
    private final List<PluginClientBuilderCustomizer> customizers;

    public PluginClientFactory(PluginPropertiesBinder binder, List<PluginEventListener> listeners,
            List<PluginClientBuilderCustomizer> customizers) {
        this.binder = binder;
        this.listeners = List.copyOf(listeners);
        this.customizers = List.copyOf(customizers);
    }

    /** Binds, checks and builds every configured plugin, none of them started yet. */
    public PluginClients createAll() {
        java.util.Map<String, PluginClients.ManagedPlugin> plugins = new java.util.LinkedHashMap<>();
        try {
            for (String name : binder.pluginNames()) {
                plugins.put(name, create(name));
            }
        } catch (RuntimeException invalid) {
            // Built clients own no process yet, but stopping them releases whatever they hold.
            for (PluginClients.ManagedPlugin plugin : plugins.values()) {
                try {
                    plugin.client().stop();
                } catch (RuntimeException stopFailure) {
                    invalid.addSuppressed(stopFailure);
                }
            }
            throw invalid;
        }
        return new PluginClients(plugins);
    }

    /** Binds, checks and builds one plugin, not started yet. */
    public PluginClients.ManagedPlugin create(String name) {
        PluginProperties properties = binder.bind(name);
        PluginClient.Builder builder = builder(name, properties);
        PluginClient client = builder.build();
        return new PluginClients.ManagedPlugin(name, client, properties.isOptional(), properties.isLazy(),
                builder.retry(), builder.circuitBreaker());
    }

    /** Checks the plugin's merged properties and returns the builder of its client. */
    public PluginClient.Builder builder(String name, PluginProperties properties) {
        Checks checks = new Checks(name);
        PluginConfig config = buildConfig(name, properties, checks);
        PluginClient.Builder builder = PluginClient.builder(config);

        checks.positive("call-timeout", properties.getCallTimeout());
        builder.callTimeout(properties.getCallTimeout());

        checks.atLeast("pool.size", properties.getPool().getSize(), 1);
        builder.retry(retryPolicy(properties.getRetry(), checks));
        builder.circuitBreaker(circuitBreakerPolicy(properties.getCircuitBreaker(), checks));
        builder.health(healthPolicy(properties.getHealth(), checks));
        builder.restart(restartPolicy(properties.getRestart(), checks));
        try {
            builder.poolSize(properties.getPool().getSize());
        } catch (PluginConfigurationException invalid) {
            throw checks.qualify(invalid);
        }

        listeners.forEach(builder::listener);
        customizers.forEach(customizer -> customizer.customize(name, builder));
        return builder;
    }

    private PluginConfig buildConfig(String name, PluginProperties properties, Checks checks) {
        PluginConfig.Builder config = PluginConfig.builder(name);
        boolean reattach = properties.getReattach().isConfigured();
        List<String> command = properties.getCommand();

        if (reattach && !command.isEmpty()) {
            throw checks.invalid("reattach", "both command and reattach are set",
                    "set command to start the plugin, or reattach to connect to a running one, not both");
        }
        if (!reattach) {
            if (command.isEmpty()) {
                throw checks.invalid("command", "the command is empty",
                        "set it to the executable and its arguments as a list, for example [java, -jar, plugin.jar]");
            }
            for (int index = 0; index < command.size(); index++) {
                String argument = command.get(index);
                if (argument == null || (index == 0 && argument.isBlank())) {
                    throw checks.invalid("command[" + index + "]", "the element is empty",
                            "give the executable and each argument as a separate list element");
                }
            }
            config.command(command);
        }

        if (properties.getWorkingDirectory() != null) {
            config.workingDirectory(directory("working-directory", properties.getWorkingDirectory(), checks));
        }
        if (properties.getSocketDirectory() != null) {
            config.socketBaseDirectory(directory("socket-directory", properties.getSocketDirectory(), checks));
        }
        config.environment(properties.getEnvironment());
        config.inheritEnvironment(properties.isInheritEnvironment());
        config.autoMtls(properties.isAutoMtls());
        config.allowRemoteAddresses(properties.isAllowRemoteAddresses());

        HandshakeConfig handshake = handshake(properties.getHandshake(), reattach, checks);
        if (handshake != null) {
            config.handshake(handshake);
        }
        if (properties.getChecksum() != null && !properties.getChecksum().isBlank()) {
            try {
                config.checksum(Checksum.parse(properties.getChecksum()));
            } catch (IllegalArgumentException invalid) {
                throw checks.invalid("checksum", invalid.getMessage(),
                        "write it as sha256:<64 hex digits>, for example the output of sha256sum on the executable");
            }
        }

        checks.positive("start-timeout", properties.getStartTimeout());
        checks.positive("shutdown-timeout", properties.getShutdownTimeout());
        config.startTimeout(properties.getStartTimeout());
        config.shutdownTimeout(properties.getShutdownTimeout());
        checks.portRange(properties.getMinPort(), properties.getMaxPort());
        config.portRange(properties.getMinPort(), properties.getMaxPort());

        if (reattach) {
            config.reattach(reattachConfig(properties.getReattach(), checks));
        }
        try {
            return config.build();
        } catch (PluginConfigurationException invalid) {
            throw checks.qualify(invalid);
        }
    }

    private static HandshakeConfig handshake(PluginSettings.Handshake handshake, boolean reattach, Checks checks) {
        boolean keySet = handshake.getMagicCookieKey() != null && !handshake.getMagicCookieKey().isBlank();
        boolean valueSet = handshake.getMagicCookieValue() != null && !handshake.getMagicCookieValue().isEmpty();
        if (reattach && !keySet && !valueSet) {
            // A reattached plugin has already done its handshake, so the cookie is not needed.
            return null;
        }
        if (!keySet) {
            throw checks.invalid("handshake.magic-cookie-key", "the magic cookie key is missing",
                    "set it to the environment variable name the plugin was built with, for example BASIC_PLUGIN");
        }
        if (!valueSet) {
            throw checks.invalid("handshake.magic-cookie-value", "the magic cookie value is missing",
                    "set it to the value the plugin was built with");
        }
        List<Integer> versions = handshake.getProtocolVersions();
        if (versions == null || versions.isEmpty()) {
            throw checks.invalid("handshake.protocol-versions", "no protocol version is listed",
                    "list the application protocol versions the application supports, for example [1]");
        }
        for (int index = 0; index < versions.size(); index++) {
            Integer version = versions.get(index);
            if (version == null || version < 1) {
                throw checks.invalid("handshake.protocol-versions[" + index + "]",
                        "protocol version " + version + " is invalid",
                        "application protocol versions are integers of 1 or more, for example [1]");
            }
        }
        return HandshakeConfig.of(handshake.getMagicCookieKey(), handshake.getMagicCookieValue(), versions);
    }

    private static ReattachConfig reattachConfig(PluginProperties.Reattach reattach, Checks checks) {
        if (reattach.getNetwork() == null || reattach.getNetwork().isBlank()) {
            throw checks.invalid("reattach.network", "the network is missing", "set it to unix or tcp");
        }
        if (reattach.getAddress() == null || reattach.getAddress().isBlank()) {
            throw checks.invalid("reattach.address", "the address is missing",
                    "set the socket path (unix) or host:port (tcp) the plugin listens on");
        }
        checks.atLeast("reattach.protocol-version", reattach.getProtocolVersion(), 1);
        return new ReattachConfig(reattach.getNetwork(), reattach.getAddress(), reattach.getProtocol(),
                reattach.getProtocolVersion(), null, null, null, Math.max(reattach.getPid(), 0),
                reattach.isTerminateOnStop());
    }

    private static Path directory(String property, String value, Checks checks) {
        Path path;
        try {
            path = Path.of(value);
        } catch (InvalidPathException invalid) {
            throw checks.invalid(property, "'" + value + "' is not a valid path", "use an existing directory");
        }
        if (!Files.isDirectory(path)) {
            throw checks.invalid(property, "the directory '" + path.toAbsolutePath() + "' does not exist",
                    "create it or point the property at an existing directory");
        }
        return path;
    }

    private static RetryPolicy retryPolicy(PluginSettings.Retry retry, Checks checks) {
        checks.atLeast("retry.max-attempts", retry.getMaxAttempts(), 1);
        checks.positive("retry.initial-delay", retry.getInitialDelay());
        checks.positive("retry.max-delay", retry.getMaxDelay());
        if (retry.getMaxDelay().compareTo(retry.getInitialDelay()) < 0) {
            throw checks.invalid("retry.max-delay", "max-delay " + format(retry.getMaxDelay())
                    + " is shorter than initial-delay " + format(retry.getInitialDelay()),
                    "use a max-delay of at least the initial-delay");
        }
        checks.multiplier("retry.multiplier", retry.getMultiplier());
        checks.fraction("retry.jitter", retry.getJitter());
        List<String> methods = retry.getIdempotentMethods() == null ? List.of() : retry.getIdempotentMethods();
        return new RetryPolicy(retry.isEnabled(), retry.getMaxAttempts(), retry.getInitialDelay(),
                retry.getMultiplier(), retry.getMaxDelay(), retry.getJitter(), java.util.Set.copyOf(methods));
    }

    private static CircuitBreakerPolicy circuitBreakerPolicy(PluginSettings.CircuitBreaker breaker, Checks checks) {
        checks.percentage("circuit-breaker.failure-rate-threshold", breaker.getFailureRateThreshold());
        checks.percentage("circuit-breaker.slow-call-rate-threshold", breaker.getSlowCallRateThreshold());
        checks.positive("circuit-breaker.slow-call-duration", breaker.getSlowCallDuration());
        checks.atLeast("circuit-breaker.sliding-window-size", breaker.getSlidingWindowSize(), 1);
        checks.atLeast("circuit-breaker.minimum-number-of-calls", breaker.getMinimumNumberOfCalls(), 1);
        checks.positive("circuit-breaker.wait-in-open", breaker.getWaitInOpen());
        checks.atLeast("circuit-breaker.permitted-calls-in-half-open", breaker.getPermittedCallsInHalfOpen(), 1);
        return new CircuitBreakerPolicy(breaker.isEnabled(), breaker.getFailureRateThreshold(),
                breaker.getSlowCallRateThreshold(), breaker.getSlowCallDuration(), breaker.getSlidingWindowSize(),
                breaker.getMinimumNumberOfCalls(), breaker.getWaitInOpen(), breaker.getPermittedCallsInHalfOpen());
    }

    private static HealthPolicy healthPolicy(PluginSettings.Health health, Checks checks) {
        checks.positive("health.interval", health.getInterval());
        checks.positive("health.timeout", health.getTimeout());
        checks.atLeast("health.failure-threshold", health.getFailureThreshold(), 1);
        checks.atLeast("health.deadline-exceeded-threshold", health.getDeadlineExceededThreshold(), 0);
        return new HealthPolicy(health.isEnabled(), health.getInterval(), health.getTimeout(),
                health.getFailureThreshold(), health.getDeadlineExceededThreshold());
    }

    private static RestartPolicy restartPolicy(PluginSettings.Restart restart, Checks checks) {
        checks.atLeast("restart.max-restarts", restart.getMaxRestarts(), 0);
        checks.positive("restart.window", restart.getWindow());
        checks.notNegative("restart.initial-backoff", restart.getInitialBackoff());
        checks.positive("restart.max-backoff", restart.getMaxBackoff());
        if (restart.getMaxBackoff().compareTo(restart.getInitialBackoff()) < 0) {
            throw checks.invalid("restart.max-backoff", "max-backoff " + format(restart.getMaxBackoff())
                    + " is shorter than initial-backoff " + format(restart.getInitialBackoff()),
                    "use a max-backoff of at least the initial-backoff");
        }
        checks.multiplier("restart.multiplier", restart.getMultiplier());
        checks.fraction("restart.jitter", restart.getJitter());
        return new RestartPolicy(restart.isEnabled(), restart.getMaxRestarts(), restart.getWindow(),
                restart.getInitialBackoff(), restart.getMaxBackoff(), restart.getMultiplier(), restart.getJitter());
    }

    /** Formats a duration the way it is written in properties, such as -1s or 500ms. */
    private static String format(Duration value) {
        return value == null ? "missing" : DurationStyle.SIMPLE.print(value);
    }

    /** Value checks of one plugin that report the full property name of the value at fault. */
    private final class Checks {

        private final String plugin;

        Checks(String plugin) {
            this.plugin = plugin;
        }

        PluginConfigurationException invalid(String relativeName, String problem, String hint) {
            return invalid(relativeName, problem, hint, null);
        }

        PluginConfigurationException invalid(String relativeName, String problem, String hint, Throwable cause) {
            return new PluginConfigurationException(plugin, ErrorCode.INVALID_CONFIGURATION,
                    "invalid property '" + binder.propertyName(plugin, relativeName) + "': " + problem, hint, null,
                    cause);
        }

        /** Rewrites a core error, which names the property relative to the plugin, with the full name. */
        PluginConfigurationException qualify(PluginConfigurationException core) {
            Matcher matcher = CORE_PROPERTY.matcher(core.reason());
            if (!matcher.matches()) {
                return core;
            }
            String relativeName = matcher.group(1).contains("/") ? matcher.group(1).substring(0,
                    matcher.group(1).indexOf('/')) : matcher.group(1);
            return invalid(relativeName, matcher.group(2), core.hint(), core);
        }

        void positive(String relativeName, Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw invalid(relativeName, "the duration " + format(value) + " is not positive",
                        "use a positive duration such as 10s or 500ms");
            }
        }

        void notNegative(String relativeName, Duration value) {
            if (value == null || value.isNegative()) {
                throw invalid(relativeName, "the duration " + format(value) + " is negative",
                        "use a duration of 0 or more, such as 200ms");
            }
        }

        void atLeast(String relativeName, long value, long minimum) {
            if (value < minimum) {
                throw invalid(relativeName, value + " is less than " + minimum, "use " + minimum + " or more");
            }
        }

        void multiplier(String relativeName, double value) {
            if (!(value >= 1.0)) {
                throw invalid(relativeName, value + " is less than 1", "use a multiplier of 1.0 or more, such as 2");
            }
        }

        void fraction(String relativeName, double value) {
            if (!(value >= 0.0 && value <= 1.0)) {
                throw invalid(relativeName, value + " is not between 0 and 1",
                        "use a fraction such as 0.2 for plus or minus 20 percent");
            }
        }

        void percentage(String relativeName, float value) {
            if (!(value > 0 && value <= 100)) {
                throw invalid(relativeName, value + " is not a percentage above 0 and at most 100",
                        "use a percentage such as 50");
            }
        }

        void portRange(int minPort, int maxPort) {
            if (minPort < 0 || minPort > 65535) {
                throw invalid("min-port", minPort + " is not a TCP port", "use a port between 0 and 65535");
            }
            if (maxPort < 0 || maxPort > 65535) {
                throw invalid("max-port", maxPort + " is not a TCP port", "use a port between 0 and 65535");
            }
            if (minPort > maxPort) {
                throw invalid("max-port", "max-port " + maxPort + " is less than min-port " + minPort,
                        "use min-port <= max-port");
            }
        }
    }
}
