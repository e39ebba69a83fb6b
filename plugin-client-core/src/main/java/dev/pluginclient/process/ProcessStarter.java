package dev.pluginclient.process;

import dev.pluginclient.ErrorCode;
import dev.pluginclient.PluginConfig;
import dev.pluginclient.PluginConfigurationException;
import dev.pluginclient.PluginConnection;
import dev.pluginclient.PluginException;
import dev.pluginclient.PluginHandshakeException;
import dev.pluginclient.PluginProtocolException;
import dev.pluginclient.PluginSecurityException;
import dev.pluginclient.PluginTransportException;
import dev.pluginclient.handshake.Handshake;
import dev.pluginclient.handshake.HandshakeParser;
import dev.pluginclient.log.BoundedLineReader;
import dev.pluginclient.log.PluginLogRelay;
import dev.pluginclient.tls.AutoMtlsIdentity;
import dev.pluginclient.tls.TlsCredentials;
import dev.pluginclient.transport.GrpcSession;
import dev.pluginclient.transport.PluginChannels;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts a plugin process and takes it through the handshake to a connected, healthy channel. */
public final class ProcessStarter {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessStarter.class);

    // A handshake line with a certificate is under 1 KiB; longer lines are cut so a flood stays bounded.
    private static final int MAX_LINE_LENGTH = 16 * 1024;
    // Ordinary stdout lines printed before the handshake, kept for the error message.
    private static final int KEPT_STDOUT_LINES = 5;
    // One health check at start may take this long; it is repeated while the start timeout allows.
    private static final Duration HEALTH_CHECK_TIMEOUT = Duration.ofSeconds(5);

    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private ProcessStarter() {
    }

    /**
     * Starts the plugin described by {@code config}.
     *
     * @throws PluginException typed by the fault, with the stderr tail when the plugin died
     */
    public static PluginConnection start(PluginConfig config) {
        String name = config.name();
        long began = System.nanoTime();
        Instant startedAt = Instant.now();

        Map<String, String> hostEnvironment = System.getenv();
        String searchPath = config.environment().getOrDefault("PATH",
                config.inheritEnvironment() ? hostEnvironment.get("PATH") : null);
        Path executable = Executables.resolve(name, config.command().get(0), config.workingDirectory(), searchPath);
        if (config.checksum() != null) {
            Executables.verify(name, executable, config.checksum());
        }

        SocketDirectory socketDirectory = SocketDirectory.create(name, config.socketBaseDirectory());
        Process process = null;
        try {
            AutoMtlsIdentity identity = config.autoMtls() ? AutoMtlsIdentity.generate() : null;
            ProcessBuilder builder = new ProcessBuilder(commandLine(executable, config.command()));
            prepareEnvironment(builder.environment(), config, socketDirectory, identity);
            if (config.workingDirectory() != null) {
                builder.directory(config.workingDirectory().toFile());
            }
            // stdin stays a pipe that the host never writes: its end-of-file signals to well-behaved plugins
            // (such as this project's Java plugins) that the host is gone.
            process = startProcess(name, builder, config);
            OrphanReaper.instance().register(process.pid());

            PluginLogRelay relay = new PluginLogRelay(name, secretsOf(config, identity));
            CompletableFuture<String> handshakeLine = new CompletableFuture<>();
            Deque<String> earlyStdout = new ArrayDeque<>();
            List<Thread> readers = List.of(
                    startReader(name, "stdout", process.getInputStream(),
                            (line, truncated) -> onStdoutLine(relay, handshakeLine, earlyStdout, line)),
                    startReader(name, "stderr", process.getErrorStream(), relay::stderrLine));

            String line = awaitHandshake(config, process, handshakeLine, earlyStdout, relay, readers);
            Handshake handshake = HandshakeParser.parse(name, line, config.handshake().protocolVersions(),
                    config.autoMtls(), config.allowRemoteAddresses());

            GrpcSession session = connect(config, handshake, identity, relay, process.pid(), began);
            Duration startDuration = Duration.ofNanos(System.nanoTime() - began);
            ProcessConnection connection = new ProcessConnection(config, process, groupLeader(), handshake, session,
                    socketDirectory, relay, readers, startedAt, startDuration);
            LOG.info("Started plugin '{}' (pid {}) on {} {} with protocol version {} in {} ms", name, process.pid(),
                    connection.transport(), handshake.address(), handshake.appVersion(), startDuration.toMillis());
            return connection;
        } catch (RuntimeException failure) {
            if (process != null) {
                ProcessTree.kill(process.toHandle(), groupLeader());
                OrphanReaper.instance().unregister(process.pid());
            }
            socketDirectory.close();
            throw failure;
        }
    }

    // Shorter values (such as "1" or "true") would redact ordinary words in every log line.
    private static final int MIN_SECRET_LENGTH = 6;

    /**
     * Returns what must never appear in a log line or message, even when the plugin prints its own
     * environment: the cookie value, the configured environment values and the lines of the client
     * certificate's PEM.
     */
    static List<String> secretsOf(PluginConfig config, AutoMtlsIdentity identity) {
        List<String> secrets = new ArrayList<>();
        secrets.add(config.handshake().magicCookieValue());
        for (String value : config.environment().values()) {
            if (value != null && value.length() >= MIN_SECRET_LENGTH) {
                secrets.add(value);
            }
        }
        if (identity != null) {
            for (String line : identity.certificatePem().split("\\R")) {
                if (line.length() >= MIN_SECRET_LENGTH && !line.startsWith("-----")) {
                    secrets.add(line);
                }
            }
        }
        return secrets;
    }

    private static List<String> commandLine(Path executable, List<String> command) {
        List<String> line = new ArrayList<>();
        // setsid makes the plugin lead its own process group, so that the whole group can be signalled
        // and a Ctrl-C at the host's terminal reaches the host only. It execs in place: same pid.
        if (groupLeader()) {
            line.add(SETSID.toString());
        }
        line.add(executable.toString());
        line.addAll(command.subList(1, command.size()));
        return line;
    }

    private static boolean groupLeader() {
        return Files.isExecutable(SETSID);
    }

    /**
     * Sets the plugin's environment: the host's (unless disabled, like go-plugin's SkipHostEnv), then
     * the configured variables, then go-plugin's own variables, which always win.
     */
    private static void prepareEnvironment(Map<String, String> environment, PluginConfig config,
            SocketDirectory socketDirectory, AutoMtlsIdentity identity) {
        if (!config.inheritEnvironment()) {
            environment.clear();
        }
        environment.putAll(config.environment());
        environment.put(config.handshake().magicCookieKey(), config.handshake().magicCookieValue());
        environment.put("PLUGIN_PROTOCOL_VERSIONS", config.handshake().protocolVersions().stream()
                .map(String::valueOf).collect(Collectors.joining(",")));
        environment.put("PLUGIN_MIN_PORT", Integer.toString(config.minPort()));
        environment.put("PLUGIN_MAX_PORT", Integer.toString(config.maxPort()));
        // go-plugin 1.5+ plugins put their socket here; older ones use TMPDIR, so point both at the private directory.
        environment.put("PLUGIN_UNIX_SOCKET_DIR", socketDirectory.path().toString());
        environment.put("TMPDIR", socketDirectory.path().toString());
        // This host keeps the plugin's stdin pipe open for the plugin's whole life, so plugins built with
        // plugin-server may take its end-of-file as a sign that the host died.
        environment.put("PLUGIN_CLIENT_STDIN_LIFELINE", "1");
        // This host never multiplexes the broker over the main connection (7-field handshakes).
        environment.remove("PLUGIN_MULTIPLEX_GRPC");
        if (identity != null) {
            environment.put("PLUGIN_CLIENT_CERT", identity.certificatePem());
        } else {
            environment.remove("PLUGIN_CLIENT_CERT");
        }
    }

    private static Process startProcess(String name, ProcessBuilder builder, PluginConfig config) {
        try {
            return builder.start();
        } catch (IOException failure) {
            throw new PluginConfigurationException(name, ErrorCode.EXECUTABLE_NOT_RUNNABLE,
                    "could not start '" + config.commandLine() + "': " + failure.getMessage(),
                    "check that the command is a program for this operating system and architecture, "
                            + "and that working-directory exists");
        }
    }

    private interface LineHandler {
        void accept(String line, boolean truncated);
    }

    private static Thread startReader(String name, String stream, InputStream input, LineHandler handler) {
        Thread reader = new Thread(() -> {
            try (BoundedLineReader lines = new BoundedLineReader(input, MAX_LINE_LENGTH)) {
                String line;
                while ((line = lines.readLine()) != null) {
                    handler.accept(line, lines.lastLineTruncated());
                }
            } catch (IOException closed) {
                // The pipe was closed because the process is gone.
            } catch (RuntimeException unexpected) {
                LOG.warn("Reading the {} of plugin '{}' failed", stream, name, unexpected);
            }
        }, "plugin-" + name + "-" + stream);
        reader.setDaemon(true);
        reader.start();
        return reader;
    }

    private static void onStdoutLine(PluginLogRelay relay, CompletableFuture<String> handshakeLine,
            Deque<String> earlyStdout, String line) {
        if (!handshakeLine.isDone() && HandshakeParser.looksLikeHandshake(line)) {
            handshakeLine.complete(line);
            return;
        }
        if (!handshakeLine.isDone()) {
            synchronized (earlyStdout) {
                earlyStdout.addLast(line);
                if (earlyStdout.size() > KEPT_STDOUT_LINES) {
                    earlyStdout.removeFirst();
                }
            }
        }
        relay.stdoutLine(line);
    }

    private static String awaitHandshake(PluginConfig config, Process process, CompletableFuture<String> handshakeLine,
            Deque<String> earlyStdout, PluginLogRelay relay, List<Thread> readers) {
        String name = config.name();
        try {
            CompletableFuture.anyOf(handshakeLine, process.onExit())
                    .get(config.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException timedOut) {
            ProcessTree.kill(process.toHandle(), groupLeader());
            ProcessConnection.awaitReaders(process, readers);
            throw new PluginHandshakeException(name, ErrorCode.HANDSHAKE_TIMEOUT,
                    "timed out after " + config.startTimeout().toMillis() + " ms waiting for the handshake line from '"
                            + config.commandLine() + "' (pid " + process.pid() + ")" + describeEarlyStdout(earlyStdout),
                    "a go-plugin plugin prints its handshake line on stdout once it listens; raise start-timeout "
                            + "if it starts slowly, or check that it is a go-plugin plugin",
                    relay.stderrTail(), null);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            ProcessTree.kill(process.toHandle(), groupLeader());
            throw new PluginHandshakeException(name, ErrorCode.START_FAILED,
                    "interrupted while waiting for the handshake", null);
        } catch (ExecutionException impossible) {
            throw new IllegalStateException(impossible);
        }
        if (handshakeLine.isDone()) {
            return handshakeLine.join();
        }

        // The process exited first: let the readers drain what it wrote, then explain.
        ProcessConnection.awaitReaders(process, readers);
        if (handshakeLine.isDone()) {
            return handshakeLine.join();
        }
        int status = process.exitValue();
        String tail = relay.stderrTail();
        throw new PluginHandshakeException(name, ErrorCode.EXITED_BEFORE_HANDSHAKE,
                "plugin exited with status " + status + " before completing the handshake ('" + config.commandLine()
                        + "')" + describeEarlyStdout(earlyStdout),
                hintForEarlyExit(config, status, tail), tail, null);
    }

    private static String describeEarlyStdout(Deque<String> earlyStdout) {
        synchronized (earlyStdout) {
            if (earlyStdout.isEmpty()) {
                return "; it printed nothing on stdout";
            }
            return "; its last stdout lines were not a handshake: " + earlyStdout.stream()
                    .map(line -> "'" + (line.length() > 200 ? line.substring(0, 200) + "..." : line) + "'")
                    .collect(Collectors.joining(", "));
        }
    }

    private static String hintForEarlyExit(PluginConfig config, int status, String tail) {
        if (tail.contains("This binary is a plugin")) {
            return "the plugin rejected the magic cookie: check handshake.magic-cookie-key ("
                    + config.handshake().magicCookieKey() + ") and handshake.magic-cookie-value against the plugin's";
        }
        if (status == 126 || status == 127) {
            return "the command could not be executed (status " + status + "); check the interpreter or loader it needs";
        }
        return "run the command by hand to see why it exits; the plugin's stderr is logged under logger 'plugin."
                + config.name() + "'";
    }

    private static GrpcSession connect(PluginConfig config, Handshake handshake, AutoMtlsIdentity identity,
            PluginLogRelay relay, long pid, long began) {
        String name = config.name();
        ChannelCredentials credentials = null;
        if (handshake.serverCertificate() != null) {
            try {
                credentials = TlsCredentials.forClient(handshake.serverCertificate(), identity.certificate(),
                        identity.privateKey());
            } catch (SSLException failure) {
                throw new PluginSecurityException(name, ErrorCode.INVALID_CERTIFICATE,
                        "could not set up TLS with the plugin's certificate: " + failure.getMessage(),
                        "the certificate in the handshake must be a usable X.509 server certificate", null, failure);
            }
        }
        ManagedChannel channel = PluginChannels.create(handshake.network(), handshake.address(), credentials);
        GrpcSession session = new GrpcSession(name, channel, relay);
        try {
            awaitHealthy(config, handshake, session, pid, began);
        } catch (RuntimeException failure) {
            session.close();
            throw failure;
        }
        session.openStdio();
        session.openBroker();
        return session;
    }

    /**
     * Checks health until SERVING or the start timeout. A plugin that just printed its handshake
     * listens already, so the first check normally passes; NOT_SERVING is given time to change.
     */
    private static void awaitHealthy(PluginConfig config, Handshake handshake, GrpcSession session, long pid,
            long began) {
        String name = config.name();
        long deadline = began + config.startTimeout().toNanos();
        StatusRuntimeException lastFailure = null;
        boolean notServing = false;
        while (System.nanoTime() < deadline) {
            long remaining = deadline - System.nanoTime();
            Duration timeout = Duration.ofNanos(Math.min(remaining, HEALTH_CHECK_TIMEOUT.toNanos()));
            try {
                if (session.checkHealth(timeout)) {
                    return;
                }
                notServing = true;
            } catch (StatusRuntimeException failure) {
                lastFailure = failure;
                if (isTlsFailure(failure)) {
                    throw new PluginSecurityException(name, ErrorCode.INVALID_CERTIFICATE,
                            "the TLS handshake with plugin pid " + pid + " at " + handshake.address() + " failed: "
                                    + rootMessage(failure),
                            "the plugin must serve with the certificate it printed in its handshake and accept the "
                                    + "host's certificate from PLUGIN_CLIENT_CERT",
                            null, failure);
                }
                if (failure.getStatus().getCode() != Status.Code.UNAVAILABLE
                        && failure.getStatus().getCode() != Status.Code.DEADLINE_EXCEEDED) {
                    break;
                }
            }
            sleep(50);
        }
        if (notServing) {
            throw new PluginProtocolException(name, ErrorCode.HEALTH_CHECK_FAILED,
                    "the plugin (pid " + pid + ") reports NOT_SERVING for health service 'plugin'",
                    "a go-plugin plugin sets service 'plugin' to SERVING once it is ready");
        }
        throw new PluginTransportException(name, ErrorCode.CONNECT_FAILED,
                "could not connect to the plugin (pid " + pid + ") at " + handshake.network() + " "
                        + handshake.address() + ": " + (lastFailure == null ? "start timeout reached"
                                : lastFailure.getStatus()),
                "the plugin printed its handshake but does not accept gRPC connections there; check its logs",
                null, lastFailure);
    }

    private static boolean isTlsFailure(Throwable failure) {
        for (Throwable current = failure; current != null; current = current.getCause()) {
            if (current instanceof SSLException || current instanceof java.security.cert.CertificateException) {
                return true;
            }
            if (current.getCause() == current) {
                break;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
