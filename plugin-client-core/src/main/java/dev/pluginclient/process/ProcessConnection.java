package dev.pluginclient.process;

import dev.pluginclient.PluginConfig;
import dev.pluginclient.PluginConnection;
import dev.pluginclient.handshake.Handshake;
import dev.pluginclient.log.PluginLogRelay;
import dev.pluginclient.transport.GrpcSession;
import dev.pluginclient.transport.SessionConnection;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A plugin process this host started, with its gRPC session. */
final class ProcessConnection extends SessionConnection {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessConnection.class);

    // After SIGTERM a process gets this long before SIGKILL.
    private static final Duration TERMINATE_GRACE = Duration.ofSeconds(1);
    // How long the output readers may take to reach end-of-file once the process is gone.
    private static final long READER_DRAIN_MILLIS = 1000;

    private final Process process;
    private final boolean groupLeader;
    private final Handshake handshake;
    private final SocketDirectory socketDirectory;
    private final List<Thread> readers;
    private volatile boolean stopRequested;
    private boolean stopped;

    ProcessConnection(PluginConfig config, Process process, boolean groupLeader, Handshake handshake,
            GrpcSession session, SocketDirectory socketDirectory, PluginLogRelay relay, List<Thread> readers,
            Instant startedAt, Duration startDuration) {
        super(config, session, relay, handshake.network(), handshake.address(),
                handshake.serverCertificate() != null, handshake.appVersion(), startedAt, startDuration);
        this.process = process;
        this.groupLeader = groupLeader;
        this.handshake = handshake;
        this.socketDirectory = socketDirectory;
        this.readers = readers;
        LiveConnections.add(this);
        process.onExit().thenRun(this::exited);
    }

    private void exited() {
        int status = process.exitValue();
        OrphanReaper.instance().unregister(process.pid());
        LiveConnections.remove(this);
        session.close();
        awaitReaders(process, readers);
        socketDirectory.close();
        if (stopRequested) {
            LOG.info("Plugin '{}' (pid {}) stopped with exit status {}", config.name(), process.pid(), status);
        } else {
            LOG.warn("Plugin '{}' (pid {}) exited unexpectedly with status {}", config.name(), process.pid(), status);
        }
        exit.complete(new PluginExit(process.pid(), status, stopRequested, relay.stderrTail()));
    }

    /** Waits briefly for the output readers, then closes the pipes under any that a grandchild keeps open. */
    static void awaitReaders(Process process, List<Thread> readers) {
        long deadline = System.currentTimeMillis() + READER_DRAIN_MILLIS;
        for (Thread reader : readers) {
            try {
                reader.join(Math.max(1, deadline - System.currentTimeMillis()));
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        try {
            process.getInputStream().close();
            process.getErrorStream().close();
            process.getOutputStream().close();
        } catch (IOException alreadyClosed) {
            // Nothing to release.
        }
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void stop() {
        synchronized (this) {
            if (stopped) {
                awaitExit(Duration.ofSeconds(10));
                return;
            }
            stopped = true;
        }
        stopRequested = true;
        if (process.isAlive()) {
            LOG.info("Stopping plugin '{}' (pid {})", config.name(), process.pid());
            session.requestShutdown(config.shutdownTimeout());
        }
        session.close();

        if (!waitForExit(config.shutdownTimeout())) {
            LOG.warn("Plugin '{}' (pid {}) did not exit within {} ms of Shutdown; sending SIGTERM", config.name(),
                    process.pid(), config.shutdownTimeout().toMillis());
            ProcessTree.terminate(process.toHandle());
            if (!waitForExit(TERMINATE_GRACE)) {
                LOG.warn("Plugin '{}' (pid {}) ignored SIGTERM; sending SIGKILL", config.name(), process.pid());
            }
        }
        // SIGKILL the group even after a clean exit: children the plugin started may still run.
        ProcessTree.kill(process.toHandle(), groupLeader);
        awaitExit(Duration.ofSeconds(10));
    }

    @Override
    public void kill() {
        synchronized (this) {
            stopped = true;
        }
        stopRequested = true;
        LOG.warn("Killing plugin '{}' (pid {}) and its process group", config.name(), process.pid());
        ProcessTree.kill(process.toHandle(), groupLeader);
        session.close();
        awaitExit(Duration.ofSeconds(10));
    }

    private boolean waitForExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    private void awaitExit(Duration timeout) {
        try {
            exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException notYet) {
            LOG.warn("Plugin '{}' (pid {}) has not finished exiting after {} ms", config.name(), process.pid(),
                    timeout.toMillis());
        }
    }

    @Override
    public String toString() {
        return "PluginConnection[" + config.name() + ", pid " + process.pid() + ", " + transport() + " "
                + handshake.address() + "]";
    }
}
