package dev.pluginclient.transport;

import dev.pluginclient.ErrorCode;
import dev.pluginclient.PluginConfig;
import dev.pluginclient.PluginConnection;
import dev.pluginclient.PluginSecurityException;
import dev.pluginclient.PluginTransportException;
import dev.pluginclient.ReattachConfig;
import dev.pluginclient.handshake.HandshakeParser;
import dev.pluginclient.log.PluginLogRelay;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection to a plugin that was already running. Its stdout and stderr pipes belong to the process that started it, so
 * only the GRPCStdio stream is re-logged. With a pid the process is polled every second, as
 * go-plugin does, so that its exit is noticed.
 */
public final class ReattachedConnection extends SessionConnection {

    private static final Logger LOG = LoggerFactory.getLogger(ReattachedConnection.class);

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private static final ScheduledExecutorService WATCHER = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "plugin-client-reattach-watch");
        thread.setDaemon(true);
        return thread;
    });

    private final ReattachConfig reattach;
    private final ScheduledFuture<?> watch;
    private volatile boolean stopRequested;

    private ReattachedConnection(PluginConfig config, GrpcSession session, PluginLogRelay relay, Instant startedAt,
            Duration startDuration) {
        super(config, session, relay, config.reattach().network(), config.reattach().address(),
                config.reattach().serverCertificate() != null, config.reattach().protocolVersion(), startedAt,
                startDuration);
        this.reattach = config.reattach();
        this.watch = reattach.pid() > 0
                ? WATCHER.scheduleWithFixedDelay(this::pollProcess, 1, 1, TimeUnit.SECONDS)
                : null;
    }

    /**
     * Connects to the running plugin named by {@code config.reattach()} and checks its health.
     *
     * @throws PluginTransportException when nothing listens at the address or the pid is gone
     */
    public static PluginConnection reattach(PluginConfig config) {
        String name = config.name();
        ReattachConfig reattach = config.reattach();
        long began = System.nanoTime();
        Instant startedAt = Instant.now();
        if (reattach.pid() > 0 && ProcessHandle.of(reattach.pid()).map(ProcessHandle::isAlive).orElse(false) == false) {
            throw new PluginTransportException(name, ErrorCode.REATTACH_FAILED,
                    "reattach failed: no process with pid " + reattach.pid() + " is running",
                    "start the plugin again, or remove reattach.pid if the pid is not known");
        }
        if (reattach.network().equals("tcp")) {
            // Reuses the handshake's address rules: loopback only unless remote addresses are allowed.
            HandshakeParser.parse(name, "1|" + reattach.protocolVersion() + "|tcp|" + reattach.address() + "|grpc|",
                    java.util.Set.of(reattach.protocolVersion()), false, config.allowRemoteAddresses());
        }

        ChannelCredentials credentials = null;
        if (reattach.serverCertificate() != null) {
            try {
                credentials = dev.pluginclient.tls.TlsCredentials.forClient(reattach.serverCertificate(),
                        reattach.clientCertificate(), reattach.clientKey());
            } catch (SSLException failure) {
                throw new PluginSecurityException(name, ErrorCode.INVALID_CERTIFICATE,
                        "could not set up TLS for reattach: " + failure.getMessage(),
                        "check reattach's certificates", null, failure);
            }
        }
        List<String> secrets = config.handshake() == null ? List.of() : List.of(config.handshake().magicCookieValue());
        PluginLogRelay relay = new PluginLogRelay(name, secrets);
        ManagedChannel channel = PluginChannels.create(reattach.network(), reattach.address(), credentials);
        GrpcSession session = new GrpcSession(name, channel, relay);
        try {
            session.checkHealth(CONNECT_TIMEOUT);
        } catch (StatusRuntimeException failure) {
            session.close();
            throw new PluginTransportException(name, ErrorCode.REATTACH_FAILED,
                    "reattach to " + reattach.network() + " " + reattach.address() + " failed: " + failure.getStatus(),
                    "check that the plugin still runs and listens at that address", null, failure);
        }
        session.openStdio();
        session.openBroker();
        Duration startDuration = Duration.ofNanos(System.nanoTime() - began);
        LOG.info("Reattached to plugin '{}' (pid {}) on {} {}", name, reattach.pid() > 0 ? reattach.pid() : "unknown",
                reattach.network(), reattach.address());
        return new ReattachedConnection(config, session, relay, startedAt, startDuration);
    }

    private void pollProcess() {
        boolean alive = ProcessHandle.of(reattach.pid()).map(ProcessHandle::isAlive).orElse(false);
        if (!alive) {
            watch.cancel(false);
            session.close();
            if (!stopRequested) {
                LOG.warn("Reattached plugin '{}' (pid {}) exited", config.name(), reattach.pid());
            }
            exit.complete(new PluginExit(reattach.pid(), null, stopRequested, relay.stderrTail()));
        }
    }

    @Override
    public long pid() {
        return reattach.pid() > 0 ? reattach.pid() : -1;
    }

    @Override
    public boolean isAlive() {
        if (reattach.pid() > 0) {
            return ProcessHandle.of(reattach.pid()).map(ProcessHandle::isAlive).orElse(false);
        }
        return !exit.isDone();
    }

    @Override
    public void stop() {
        stopRequested = true;
        if (reattach.terminateOnStop()) {
            session.requestShutdown(config.shutdownTimeout());
            Optional<ProcessHandle> process = reattach.pid() > 0 ? ProcessHandle.of(reattach.pid()) : Optional.empty();
            process.ifPresent(handle -> {
                try {
                    handle.onExit().get(config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception stillRunning) {
                    LOG.warn("Reattached plugin '{}' (pid {}) did not exit after Shutdown; killing it", config.name(),
                            handle.pid());
                    handle.destroyForcibly();
                }
            });
        }
        session.close();
        if (watch != null) {
            watch.cancel(false);
        }
        exit.complete(new PluginExit(pid(), null, true, relay.stderrTail()));
    }

    @Override
    public void kill() {
        stopRequested = true;
        if (reattach.terminateOnStop() && reattach.pid() > 0) {
            ProcessHandle.of(reattach.pid()).ifPresent(ProcessHandle::destroyForcibly);
        }
        session.close();
        if (watch != null) {
            watch.cancel(false);
        }
        exit.complete(new PluginExit(pid(), null, true, relay.stderrTail()));
    }
}
