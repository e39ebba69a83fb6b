package dev.pluginclient;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How to start (or reattach to) one plugin and talk to it. Immutable; build it with
 * {@link #builder(String)}.
 *
 * <p>Defaults follow go-plugin's host: 60 s start timeout, 2 s grace period on stop, TCP ports
 * 10000 to 25000, the host environment inherited, AutoMTLS off.
 */
public final class PluginConfig {

    /** go-plugin's default wait for the handshake line. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);
    /** go-plugin waits this long for a plugin to exit after Shutdown before it kills it. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);
    public static final int DEFAULT_MIN_PORT = 10000;
    public static final int DEFAULT_MAX_PORT = 25000;

    private final String name;
    private final List<String> command;
    private final Path workingDirectory;
    private final Map<String, String> environment;
    private final boolean inheritEnvironment;
    private final HandshakeConfig handshake;
    private final boolean autoMtls;
    private final Checksum checksum;
    private final Duration startTimeout;
    private final Duration shutdownTimeout;
    private final int minPort;
    private final int maxPort;
    private final boolean allowRemoteAddresses;
    private final ReattachConfig reattach;
    private final Path socketBaseDirectory;

    private PluginConfig(Builder builder) {
        this.name = builder.name;
        this.command = List.copyOf(builder.command);
        this.workingDirectory = builder.workingDirectory;
        this.environment = Collections.unmodifiableMap(new LinkedHashMap<>(builder.environment));
        this.inheritEnvironment = builder.inheritEnvironment;
        this.handshake = builder.handshake;
        this.autoMtls = builder.autoMtls;
        this.checksum = builder.checksum;
        this.startTimeout = builder.startTimeout;
        this.shutdownTimeout = builder.shutdownTimeout;
        this.minPort = builder.minPort;
        this.maxPort = builder.maxPort;
        this.allowRemoteAddresses = builder.allowRemoteAddresses;
        this.reattach = builder.reattach;
        this.socketBaseDirectory = builder.socketBaseDirectory;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public Builder toBuilder() {
        Builder builder = new Builder(name);
        builder.command = new ArrayList<>(command);
        builder.workingDirectory = workingDirectory;
        builder.environment = new LinkedHashMap<>(environment);
        builder.inheritEnvironment = inheritEnvironment;
        builder.handshake = handshake;
        builder.autoMtls = autoMtls;
        builder.checksum = checksum;
        builder.startTimeout = startTimeout;
        builder.shutdownTimeout = shutdownTimeout;
        builder.minPort = minPort;
        builder.maxPort = maxPort;
        builder.allowRemoteAddresses = allowRemoteAddresses;
        builder.reattach = reattach;
        builder.socketBaseDirectory = socketBaseDirectory;
        return builder;
    }

    /** The plugin's name: used in logs, metrics, errors and as the name of its logger. */
    public String name() {
        return name;
    }

    /** The executable and its arguments; never passed through a shell. Empty when reattaching. */
    public List<String> command() {
        return command;
    }

    /** The plugin's working directory, or {@code null} for the host's. */
    public Path workingDirectory() {
        return workingDirectory;
    }

    /** Extra environment variables for the plugin. Their values are never logged. */
    public Map<String, String> environment() {
        return environment;
    }

    /** Whether the plugin inherits the host's environment (go-plugin does unless SkipHostEnv is set). */
    public boolean inheritEnvironment() {
        return inheritEnvironment;
    }

    public HandshakeConfig handshake() {
        return handshake;
    }

    /** Whether the host and plugin authenticate each other with fresh certificates per start. */
    public boolean autoMtls() {
        return autoMtls;
    }

    /** The expected digest of {@code command().get(0)}, or {@code null} to skip the check. */
    public Checksum checksum() {
        return checksum;
    }

    public Duration startTimeout() {
        return startTimeout;
    }

    /** How long the plugin may take to exit after Shutdown before it is terminated and then killed. */
    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    public int minPort() {
        return minPort;
    }

    public int maxPort() {
        return maxPort;
    }

    /** Whether a handshake may name a TCP address that is not loopback. Off by default. */
    public boolean allowRemoteAddresses() {
        return allowRemoteAddresses;
    }

    /** Where the running plugin is, when the host attaches instead of starting it; else {@code null}. */
    public ReattachConfig reattach() {
        return reattach;
    }

    /**
     * The directory under which a private socket directory is created per start, or {@code null}
     * for the default ({@code /tmp}). Keep it short: a Unix socket path has at most 107 bytes on Linux.
     */
    public Path socketBaseDirectory() {
        return socketBaseDirectory;
    }

    /** Whether this config attaches to a running plugin instead of starting one. */
    public boolean isReattach() {
        return reattach != null;
    }

    /** Executable and arguments joined for messages; arguments are shown, environment values never. */
    public String commandLine() {
        return String.join(" ", command);
    }

    @Override
    public String toString() {
        return "PluginConfig[name=" + name + ", command=" + command + ", environment keys=" + environment.keySet()
                + ", handshake=" + handshake + ", autoMtls=" + autoMtls + ", reattach=" + reattach + "]";
    }

    /** Builder for {@link PluginConfig}; {@link #build()} validates every value. */
    public static final class Builder {

        private final String name;
        private List<String> command = new ArrayList<>();
        private Path workingDirectory;
        private Map<String, String> environment = new LinkedHashMap<>();
        private boolean inheritEnvironment = true;
        private HandshakeConfig handshake;
        private boolean autoMtls;
        private Checksum checksum;
        private Duration startTimeout = DEFAULT_START_TIMEOUT;
        private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
        private int minPort = DEFAULT_MIN_PORT;
        private int maxPort = DEFAULT_MAX_PORT;
        private boolean allowRemoteAddresses;
        private ReattachConfig reattach;
        private Path socketBaseDirectory;

        private Builder(String name) {
            this.name = name;
        }

        public Builder command(List<String> executableAndArguments) {
            this.command = new ArrayList<>(Objects.requireNonNull(executableAndArguments, "command"));
            return this;
        }

        public Builder command(String executable, String... arguments) {
            List<String> list = new ArrayList<>();
            list.add(executable);
            list.addAll(List.of(arguments));
            return command(list);
        }

        public Builder workingDirectory(Path directory) {
            this.workingDirectory = directory;
            return this;
        }

        public Builder environment(Map<String, String> variables) {
            this.environment = new LinkedHashMap<>(Objects.requireNonNull(variables, "environment"));
            return this;
        }

        public Builder environment(String key, String value) {
            this.environment.put(key, value);
            return this;
        }

        public Builder inheritEnvironment(boolean inherit) {
            this.inheritEnvironment = inherit;
            return this;
        }

        public Builder handshake(HandshakeConfig config) {
            this.handshake = config;
            return this;
        }

        public Builder autoMtls(boolean enabled) {
            this.autoMtls = enabled;
            return this;
        }

        public Builder checksum(Checksum expected) {
            this.checksum = expected;
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        public Builder shutdownTimeout(Duration timeout) {
            this.shutdownTimeout = timeout;
            return this;
        }

        public Builder portRange(int min, int max) {
            this.minPort = min;
            this.maxPort = max;
            return this;
        }

        public Builder allowRemoteAddresses(boolean allow) {
            this.allowRemoteAddresses = allow;
            return this;
        }

        public Builder reattach(ReattachConfig config) {
            this.reattach = config;
            return this;
        }

        public Builder socketBaseDirectory(Path directory) {
            this.socketBaseDirectory = directory;
            return this;
        }

        /**
         * Builds the config.
         *
         * @throws PluginConfigurationException naming the first invalid value and how to fix it
         */
        public PluginConfig build() {
            String plugin = name == null || name.isBlank() ? "<unnamed>" : name;
            if (name == null || name.isBlank()) {
                throw invalid(plugin, "name", "the plugin name is missing", "give every plugin a non-blank name");
            }
            if (reattach == null) {
                if (command.isEmpty() || command.get(0) == null || command.get(0).isBlank()) {
                    throw invalid(plugin, "command", "the command is empty",
                            "set command to the executable and its arguments as a list, for example [java, -jar, plugin.jar]");
                }
                for (int index = 0; index < command.size(); index++) {
                    if (command.get(index) == null) {
                        throw invalid(plugin, "command[" + index + "]", "the argument is null", "remove it or give it a value");
                    }
                }
            } else if (!command.isEmpty()) {
                throw invalid(plugin, "reattach", "both command and reattach are set",
                        "set command to start the plugin, or reattach to connect to a running one, not both");
            }
            if (handshake == null && reattach == null) {
                throw invalid(plugin, "handshake", "the handshake settings are missing",
                        "set handshake.magic-cookie-key, handshake.magic-cookie-value and handshake.protocol-versions");
            }
            if (handshake != null) {
                if (handshake.magicCookieKey().isBlank() || handshake.magicCookieKey().contains("=")) {
                    throw invalid(plugin, "handshake.magic-cookie-key",
                            "the magic cookie key '" + handshake.magicCookieKey() + "' is not a valid environment variable name",
                            "use the key the plugin was built with, for example BASIC_PLUGIN");
                }
                if (handshake.magicCookieValue().isEmpty()) {
                    throw invalid(plugin, "handshake.magic-cookie-value", "the magic cookie value is empty",
                            "use the value the plugin was built with");
                }
                if (handshake.protocolVersions().isEmpty()) {
                    throw invalid(plugin, "handshake.protocol-versions", "no protocol version is offered",
                            "list the app protocol versions the host supports, for example [1]");
                }
                if (handshake.protocolVersions().first() < 1) {
                    throw invalid(plugin, "handshake.protocol-versions",
                            "protocol version " + handshake.protocolVersions().first() + " is invalid",
                            "app protocol versions are integers of 1 or more");
                }
            }
            requirePositive(plugin, "start-timeout", startTimeout);
            requirePositive(plugin, "shutdown-timeout", shutdownTimeout);
            if (minPort < 0 || maxPort > 65535 || minPort > maxPort) {
                throw invalid(plugin, "min-port/max-port", "the port range " + minPort + ".." + maxPort + " is invalid",
                        "use 0 <= min-port <= max-port <= 65535");
            }
            if (reattach != null) {
                if (!reattach.network().equals("unix") && !reattach.network().equals("tcp")) {
                    throw invalid(plugin, "reattach.network", "network '" + reattach.network() + "' is not supported",
                            "use unix or tcp");
                }
                if (!reattach.protocol().equals("grpc")) {
                    throw invalid(plugin, "reattach.protocol", "protocol '" + reattach.protocol() + "' is not supported",
                            "only grpc is supported; net/rpc plugins cannot be hosted from Java");
                }
                if (reattach.address().isBlank()) {
                    throw invalid(plugin, "reattach.address", "the address is empty",
                            "set the socket path (unix) or host:port (tcp) the plugin listens on");
                }
                if (autoMtls) {
                    throw invalid(plugin, "auto-mtls", "AutoMTLS cannot be used with reattach",
                            "the certificates are made per start; give the plugin's certificate in the reattach settings instead");
                }
                if (checksum != null) {
                    throw invalid(plugin, "checksum", "a checksum cannot be checked when reattaching",
                            "remove checksum or start the plugin from its command");
                }
            }
            return new PluginConfig(this);
        }

        private static void requirePositive(String plugin, String property, Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw invalid(plugin, property, "the duration " + value + " is not positive",
                        "use a positive duration such as 10s or 500ms");
            }
        }

        private static PluginConfigurationException invalid(String plugin, String property, String problem,
                String hint) {
            return new PluginConfigurationException(plugin, ErrorCode.INVALID_CONFIGURATION,
                    "invalid property '" + property + "': " + problem, hint);
        }
    }
}
