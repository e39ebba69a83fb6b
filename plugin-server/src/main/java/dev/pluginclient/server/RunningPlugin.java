package dev.pluginclient.server;

import dev.pluginclient.server.log.PluginLogger;
import dev.pluginclient.server.stdio.StdioForwarder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A plugin that has printed its handshake line and serves its host. Returned by
 * {@link GoPluginServer#start()}; {@link #close()} stops it.
 */
public final class RunningPlugin implements AutoCloseable {

    // Time that in-flight calls get to finish on a graceful stop. go-plugin hosts wait 2 seconds
    // after GRPCController.Shutdown before they kill the plugin.
    private static final long GRACE_MILLIS = 1000;

    private final PluginLogger log;
    private final int protocolVersion;
    private final boolean autoMtls;
    private final String handshakeLine;
    private volatile Instant handshakeTime;
    private final PluginListener listener;
    private final HealthStatusManager health;
    private final StdioForwarder stdio;
    private final BrokerService broker;

    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch terminated = new CountDownLatch(1);

    RunningPlugin(PluginLogger log, int protocolVersion, boolean autoMtls, String handshakeLine,
            PluginListener listener, HealthStatusManager health, StdioForwarder stdio,
            BrokerService broker) {
        this.log = log;
        this.protocolVersion = protocolVersion;
        this.autoMtls = autoMtls;
        this.handshakeLine = handshakeLine;
        this.listener = listener;
        this.health = health;
        this.stdio = stdio;
        this.broker = broker;
    }

    /** Returns the negotiated application protocol version, the second handshake field. */
    public int protocolVersion() {
        return protocolVersion;
    }

    public Transport transport() {
        return listener.transport();
    }

    /** Returns the socket path or {@code 127.0.0.1:port}, the fourth handshake field. */
    public String address() {
        return listener.address();
    }

    /** Returns true when the host asked for AutoMTLS by setting PLUGIN_CLIENT_CERT. */
    public boolean autoMtls() {
        return autoMtls;
    }

    /** Returns the handshake line without its line break. It contains no secret. */
    public String handshakeLine() {
        return handshakeLine;
    }

    /** Returns the moment the handshake line was written and flushed. */
    public Instant handshakeTime() {
        return handshakeTime;
    }

    void handshakeWritten(Instant time) {
        this.handshakeTime = time;
    }

    /** Returns the number of stdout/stderr bytes dropped because the host did not read them. */
    public long droppedStdioBytes() {
        return stdio.droppedBytes();
    }

    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    /** Blocks until the plugin has stopped, whatever stopped it. */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /** Blocks until the plugin has stopped or the timeout elapsed; returns true when it stopped. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the plugin gracefully and blocks until it has stopped. Does not exit the JVM. */
    @Override
    public void close() {
        stop("closed by the plugin");
    }

    /**
     * Stops serving: reports NOT_SERVING, ends the stdio and broker streams, lets in-flight calls
     * finish for up to one second, then cancels the rest and removes the socket file. Only the first
     * call does the work; later calls wait for it to finish.
     */
    void stop(String reason) {
        if (!stopping.compareAndSet(false, true)) {
            awaitQuietly();
            return;
        }
        log.debug("stopping plugin server", "reason", reason);
        // Removed first so that the file is gone even if the JVM halts during the grace period.
        listener.deleteSocketFile();
        try {
            health.enterTerminalState();
            stdio.close();
            broker.close();

            listener.server().shutdown();
            if (!listener.server().awaitTermination(GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
                log.debug("cancelling calls still running after the grace period", "grace_millis", GRACE_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            listener.close();
            terminated.countDown();
        }
    }

    private void awaitQuietly() {
        try {
            terminated.await(GRACE_MILLIS * 3, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
