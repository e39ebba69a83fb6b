package dev.pluginclient.server;

import dev.pluginclient.protocol.StdioData;
import dev.pluginclient.server.log.PluginLogger;
import dev.pluginclient.server.stdio.StdioForwarder;
import dev.pluginclient.server.tls.AutoMtlsCertificate;
import dev.pluginclient.server.tls.AutoMtlsCredentials;
import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves gRPC services as a HashiCorp go-plugin plugin that any go-plugin host can load: Go hosts
 * built with go-plugin and JVM hosts built with plugin-client.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     GoPluginServer.builder()
 *             .magicCookie("CALCULATOR_PLUGIN", "calculator-v1-7d2f4c")
 *             .version(1, new CalculatorService())
 *             .build()
 *             .serve();
 * }
 * }</pre>
 *
 * <p>{@link #serve()} checks the magic cookie, negotiates the protocol version from
 * {@code PLUGIN_PROTOCOL_VERSIONS}, listens on a Unix socket (or on 127.0.0.1 with
 * {@link Transport#TCP}), turns on AutoMTLS when the host sets {@code PLUGIN_CLIENT_CERT}, prints the
 * handshake line on the real standard output and serves until the host calls
 * {@code GRPCController.Shutdown}, the host process is gone or the JVM receives SIGTERM. Besides the
 * plugin's services it serves {@code grpc.health.v1.Health} (service {@code plugin} is SERVING),
 * {@code plugin.GRPCController}, {@code plugin.GRPCStdio} and {@code plugin.GRPCBroker}.
 *
 * <p>After the handshake, {@code System.out} and {@code System.err} travel to the host over
 * GRPCStdio. Use {@link #logger(String)} for log lines that the host re-logs at their level.
 *
 * <p>Instances are immutable; {@link #start()} may be called once per process because it takes over
 * the process's standard streams.
 */
public final class GoPluginServer {

    /** Environment variable that overrides the builder's transport: {@code unix} or {@code tcp}. */
    public static final String TRANSPORT_ENV = "PLUGIN_TRANSPORT";

    static final String CLIENT_CERT_ENV = "PLUGIN_CLIENT_CERT";

    /** The health service name that go-plugin hosts check. */
    public static final String HEALTH_SERVICE_NAME = "plugin";

    static final String NOT_A_PROGRAM_MESSAGE = "This binary is a plugin. These are not meant to be executed "
            + "directly. Please execute the program that consumes these plugins, which will load any plugins "
            + "automatically";

    private static final int CORE_PROTOCOL_VERSION = 1;

    private static final PluginLogger LOG = PluginLogger.named("plugin-server");

    // grpc sets SO_KEEPALIVE on every channel and Netty warns once per Unix socket connection that the
    // option is unknown. The reference keeps the level setting from being garbage collected.
    private static final Logger NETTY_BOOTSTRAP_LOGGER = Logger.getLogger("io.grpc.netty.shaded.io.netty.bootstrap");

    static {
        NETTY_BOOTSTRAP_LOGGER.setLevel(Level.SEVERE);
    }

    private final String cookieKey;
    private final String cookieValue;
    private final NavigableMap<Integer, List<ServerServiceDefinition>> versions;
    private final List<ServerInterceptor> interceptors;
    private final Transport transport;
    private final Map<String, String> environment;
    private final IntConsumer exitHandler;
    private final boolean redirectStdio;
    private final boolean watchHost;
    private final int stdioBufferBytes;

    private GoPluginServer(Builder builder) {
        this.cookieKey = builder.cookieKey;
        this.cookieValue = builder.cookieValue;
        this.versions = Collections.unmodifiableNavigableMap(new TreeMap<>(builder.versions));
        this.interceptors = List.copyOf(builder.interceptors);
        this.transport = builder.transport;
        this.environment = builder.environment;
        this.exitHandler = builder.exitHandler;
        this.redirectStdio = builder.redirectStdio;
        this.watchHost = builder.watchHost;
        this.stdioBufferBytes = builder.stdioBufferBytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Returns a logger for plugin code that writes hclog JSON lines to the real standard error. */
    public static PluginLogger logger(String module) {
        return PluginLogger.named(module);
    }

    /**
     * Serves until the plugin stops, then exits the JVM. The exit status is 0 after a shutdown
     * request, a SIGTERM or a lost host. When the plugin cannot start (for example because the magic
     * cookie is missing), it prints the reason on standard error and exits with status 1. Returns
     * only when the builder's exit handler returns.
     */
    public void serve() {
        serve(running -> { });
    }

    /**
     * Serves like {@link #serve()} and calls {@code onStarted} once the handshake line is out, for
     * example to record the start-up time.
     */
    public void serve(Consumer<? super RunningPlugin> onStarted) {
        RunningPlugin running;
        try {
            running = start();
        } catch (PluginStartException e) {
            reportStartFailure(e);
            exitHandler.accept(1);
            return;
        }

        onStarted.accept(running);
        boolean interrupted = false;
        while (!running.isTerminated()) {
            try {
                running.awaitTermination();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        exitHandler.accept(0);
    }

    /**
     * Starts serving and returns once the handshake line is out. The caller decides when to stop
     * (with {@link RunningPlugin#close()}) and when to exit. A lost host still stops the plugin and
     * calls the exit handler.
     *
     * @throws PluginStartException when the environment does not allow serving
     */
    public RunningPlugin start() {
        checkMagicCookie();
        int version = VersionNegotiation.select(versions.navigableKeySet(),
                environment.get(VersionNegotiation.PROTOCOL_VERSIONS_ENV), LOG);
        Transport chosenTransport = chooseTransport();

        AutoMtlsCertificate serverCertificate = null;
        ServerCredentials credentials = InsecureServerCredentials.create();
        String clientPem = environment.get(CLIENT_CERT_ENV);
        if (clientPem != null && !clientPem.isBlank()) {
            serverCertificate = generateCertificate();
            credentials = autoMtlsCredentials(serverCertificate, clientPem);
        }

        HealthStatusManager health = new HealthStatusManager();
        StdioForwarder stdio = new StdioForwarder(LOG, stdioBufferBytes);
        BrokerService broker = new BrokerService(LOG);
        // Set before the handshake, so before any host can call Shutdown.
        AtomicReference<RunningPlugin> self = new AtomicReference<>();
        ControllerService controller = new ControllerService(
                () -> self.get().stop("the host called GRPCController.Shutdown"));
        List<ServerServiceDefinition> services = versions.get(version);

        PluginListener listener;
        try {
            listener = PluginListener.bind(chosenTransport, environment, credentials, builder -> {
                builder.addService(health.getHealthService());
                builder.addService(controller);
                builder.addService(stdio);
                builder.addService(broker);
                services.forEach(builder::addService);
                interceptors.forEach(builder::intercept);
            });
        } catch (RuntimeException e) {
            stdio.close();
            throw e;
        }
        health.setStatus(HEALTH_SERVICE_NAME, ServingStatus.SERVING);

        String certificateField = serverCertificate == null ? "" : serverCertificate.toHandshakeField();
        String handshakeLine = String.join("|", Integer.toString(CORE_PROTOCOL_VERSION), Integer.toString(version),
                listener.transport().network(), listener.address(), "grpc", certificateField);
        RunningPlugin running = new RunningPlugin(LOG, version, serverCertificate != null, handshakeLine,
                listener, health, stdio, broker);
        self.set(running);

        // The hook goes in before the handshake: a host may send SIGTERM as soon as it reads the line.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> running.stop("the JVM is shutting down"),
                "plugin-shutdown-hook"));
        // Redirecting first also keeps output from other threads from landing in front of the handshake.
        if (redirectStdio) {
            System.setOut(stdio.printStream(StdioData.Channel.STDOUT));
            System.setErr(stdio.printStream(StdioData.Channel.STDERR));
        }
        try {
            writeHandshake(handshakeLine);
        } catch (IOException e) {
            running.stop("the handshake line could not be written");
            throw new PluginStartException("failed to write the handshake line to standard output: "
                    + e.getMessage(), e);
        }
        running.handshakeWritten(Instant.now());
        LOG.debug("plugin server started", "protocol_version", version, "network", listener.transport().network(),
                "address", listener.address(), "auto_mtls", serverCertificate != null);

        if (watchHost) {
            HostWatcher.start(LOG, reason -> {
                running.stop(reason);
                exitHandler.accept(0);
            }, "1".equals(environment.get(HostWatcher.STDIN_LIFELINE_ENV)));
        }
        return running;
    }

    private void checkMagicCookie() {
        String actual = environment.get(cookieKey);
        if (!cookieValue.equals(actual)) {
            // The message never contains the expected value: the cookie is the host's shared string.
            throw new PluginStartException(NOT_A_PROGRAM_MESSAGE, null, true);
        }
    }

    private Transport chooseTransport() {
        String override = environment.get(TRANSPORT_ENV);
        Transport chosen = transport;
        if (override != null && !override.isBlank()) {
            chosen = switch (override.trim().toLowerCase(Locale.ROOT)) {
                case "unix" -> Transport.UNIX;
                case "tcp" -> Transport.TCP;
                default -> throw new PluginStartException("invalid " + TRANSPORT_ENV + " value \"" + override.trim()
                        + "\"; expected unix or tcp");
            };
        }
        if (chosen == Transport.UNIX && !PluginListener.unixSocketsAvailable()) {
            LOG.warn("Unix sockets need Netty's epoll transport, which is not available here; serving on TCP");
            return Transport.TCP;
        }
        return chosen;
    }

    private static AutoMtlsCertificate generateCertificate() {
        try {
            return AutoMtlsCertificate.generate();
        } catch (GeneralSecurityException e) {
            throw new PluginStartException("failed to generate the AutoMTLS certificate: " + e.getMessage(), e);
        }
    }

    private static ServerCredentials autoMtlsCredentials(AutoMtlsCertificate serverCertificate, String clientPem) {
        List<X509Certificate> clientCertificates;
        try {
            clientCertificates = AutoMtlsCertificate.parsePem(clientPem);
        } catch (GeneralSecurityException e) {
            throw new PluginStartException("invalid " + CLIENT_CERT_ENV + ": expected a PEM certificate ("
                    + e.getMessage() + "); the host sets it for AutoMTLS", e);
        }
        try {
            return AutoMtlsCredentials.forServer(serverCertificate, clientCertificates);
        } catch (IOException e) {
            throw new PluginStartException("failed to set up TLS with the certificate from " + CLIENT_CERT_ENV
                    + ": " + e.getMessage(), e);
        }
    }

    // The handshake goes to file descriptor 1 directly: System.out may be buffered or replaced.
    private static void writeHandshake(String line) throws IOException {
        OutputStream stdout = new FileOutputStream(FileDescriptor.out);
        stdout.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        stdout.flush();
    }

    private static void reportStartFailure(PluginStartException e) {
        if (e.isPlainText()) {
            byte[] message = (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
            try {
                OutputStream stderr = new FileOutputStream(FileDescriptor.err);
                stderr.write(message);
                stderr.flush();
            } catch (IOException ignored) {
                // Nowhere left to report to, but the exit status still reports the failure.
            }
        } else {
            LOG.error("plugin failed to start: " + e.getMessage());
        }
    }

    /** Builds an immutable {@link GoPluginServer}. */
    public static final class Builder {

        private String cookieKey;
        private String cookieValue;
        private final TreeMap<Integer, List<ServerServiceDefinition>> versions = new TreeMap<>();
        private final List<ServerInterceptor> interceptors = new ArrayList<>();
        private Transport transport = Transport.UNIX;
        private Map<String, String> environment = System.getenv();
        private IntConsumer exitHandler = System::exit;
        private boolean redirectStdio = true;
        private boolean watchHost = true;
        private int stdioBufferBytes = StdioForwarder.DEFAULT_BUFFER_BYTES;

        private Builder() {
        }

        /**
         * Sets the environment variable that the host must set to the given value. It distinguishes a
         * plugin started by its host from one started by hand. It is not a security measure.
         */
        public Builder magicCookie(String key, String value) {
            requireText(key, "magic cookie key");
            requireText(value, "magic cookie value");
            this.cookieKey = key;
            this.cookieValue = value;
            return this;
        }

        /** Adds an application protocol version with the services it serves. */
        public Builder version(int version, BindableService... services) {
            List<ServerServiceDefinition> definitions = new ArrayList<>();
            for (BindableService service : services) {
                definitions.add(Objects.requireNonNull(service, "service").bindService());
            }
            return putVersion(version, definitions);
        }

        /** Adds an application protocol version with already bound (for example intercepted) services. */
        public Builder version(int version, ServerServiceDefinition first, ServerServiceDefinition... more) {
            List<ServerServiceDefinition> definitions = new ArrayList<>();
            definitions.add(Objects.requireNonNull(first, "first"));
            Arrays.stream(more).map(definition -> Objects.requireNonNull(definition, "service")).forEach(definitions::add);
            return putVersion(version, definitions);
        }

        private Builder putVersion(int version, List<ServerServiceDefinition> definitions) {
            if (version < 1) {
                throw new IllegalArgumentException("protocol version must be at least 1, got " + version);
            }
            if (versions.containsKey(version)) {
                throw new IllegalArgumentException("protocol version " + version + " is already registered");
            }
            versions.put(version, List.copyOf(definitions));
            return this;
        }

        /**
         * Adds an interceptor for every call, including health, controller, stdio and broker calls.
         * Interceptors run in the reverse order of adding, as with {@code ServerBuilder.intercept}.
         */
        public Builder intercept(ServerInterceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            return this;
        }

        /**
         * Sets the listener kind; the default is {@link Transport#UNIX}. The environment variable
         * {@code PLUGIN_TRANSPORT} overrides it. Without Netty's epoll transport (any OS but Linux)
         * the plugin serves on TCP.
         */
        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /** Replaces the process environment as the source of go-plugin's variables; meant for tests. */
        public Builder environment(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
            return this;
        }

        /** Replaces {@link System#exit(int)}, for example to test a plugin inside the test JVM. */
        public Builder exitHandler(IntConsumer exitHandler) {
            this.exitHandler = Objects.requireNonNull(exitHandler, "exitHandler");
            return this;
        }

        /**
         * Sets whether {@code System.out} and {@code System.err} travel over GRPCStdio after the
         * handshake (the default). Without it, output after the handshake fills the process's stdout
         * pipe, which go-plugin hosts drain, and its stderr pipe, which they log line by line.
         */
        public Builder redirectStdio(boolean redirectStdio) {
            this.redirectStdio = redirectStdio;
            return this;
        }

        /**
         * Sets whether the plugin stops and exits when its host is gone: when standard input, if it
         * is a pipe, reaches end of file, or when the parent process changes. On by default; turn it
         * off only when the plugin runs inside another process, such as a test JVM. The stdin
         * watch reads and discards standard input, so plugin code must not read it.
         */
        public Builder watchHost(boolean watchHost) {
            this.watchHost = watchHost;
            return this;
        }

        /**
         * Sets how many bytes of stdout/stderr output are kept while the host does not read
         * GRPCStdio; more output is dropped and counted. Default 1 MiB.
         */
        public Builder stdioBufferBytes(int stdioBufferBytes) {
            if (stdioBufferBytes < 8 * 1024) {
                throw new IllegalArgumentException("stdio buffer must be at least 8192 bytes, got " + stdioBufferBytes);
            }
            this.stdioBufferBytes = stdioBufferBytes;
            return this;
        }

        /**
         * Builds the server.
         *
         * @throws IllegalStateException when the magic cookie or every protocol version is missing
         */
        public GoPluginServer build() {
            if (cookieKey == null) {
                throw new IllegalStateException("magic cookie missing; call magicCookie(key, value) with the "
                        + "values the host's handshake configuration uses");
            }
            if (versions.isEmpty()) {
                throw new IllegalStateException("no protocol version; call version(n, services...) at least once");
            }
            return new GoPluginServer(this);
        }

        private static void requireText(String value, String name) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(name + " must not be empty");
            }
        }
    }
}
