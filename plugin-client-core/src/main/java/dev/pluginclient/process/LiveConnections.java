package dev.pluginclient.process;

import dev.pluginclient.PluginConnection;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every plugin this JVM started and has not yet stopped. A JVM shutdown hook stops them all, in
 * parallel, so an ordinary exit (including SIGTERM and SIGINT) leaves no plugin behind.
 */
public final class LiveConnections {

    private static final Logger LOG = LoggerFactory.getLogger(LiveConnections.class);

    private static final Set<PluginConnection> LIVE = ConcurrentHashMap.newKeySet();

    private static volatile Duration ownerGrace = Duration.ZERO;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(LiveConnections::stopAll, "plugin-client-shutdown"));
    }

    private LiveConnections() {
    }

    static void add(PluginConnection connection) {
        LIVE.add(connection);
    }

    static void remove(PluginConnection connection) {
        LIVE.remove(connection);
    }

    /**
     * Lets the owners of the plugins stop them first when the JVM shuts down: the hook waits up to
     * {@code grace} for the running plugins to be stopped by others before it stops the rest. An
     * application framework that stops its plugins in its own shutdown (after draining requests, as
     * Spring does) sets this, because JVM shutdown hooks run in parallel.
     */
    public static void deferShutdownHook(Duration grace) {
        ownerGrace = grace == null || grace.isNegative() ? Duration.ZERO : grace;
    }

    /** The number of plugin processes this JVM runs now. */
    public static int count() {
        return LIVE.size();
    }

    private static void stopAll() {
        long deadline = System.nanoTime() + ownerGrace.toNanos();
        while (!LIVE.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<PluginConnection> running = List.copyOf(LIVE);
        if (running.isEmpty()) {
            return;
        }
        LOG.info("JVM is shutting down: stopping {} plugin process(es)", running.size());
        List<Thread> stoppers = running.stream()
                .map(connection -> new Thread(connection::stop, "plugin-client-stop-" + connection.pluginName()))
                .toList();
        stoppers.forEach(Thread::start);
        for (Thread stopper : stoppers) {
            try {
                stopper.join();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
