package dev.pluginclient.spring.autoconfigure;

import dev.pluginclient.PluginException;
import dev.pluginclient.process.LiveConnections;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the plugins with the application context and stops them when it closes.
 *
 * <p>Plugins that are not lazy start in parallel, one thread each, and {@link #start()} returns once
 * all of them are READY or failed. A failed plugin that is not optional fails the context start
 * with its {@link PluginException}. An optional one is logged and left FAILED, so its health is
 * DOWN. The phase is below the web server's, so plugins are READY before the server accepts
 * requests and stop only after it stopped.
 */
public class PluginClientLifecycle implements SmartLifecycle {

    /** Lifecycle phase: before the embedded web server starts, after it stops. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private static final Logger logger = LoggerFactory.getLogger(PluginClientLifecycle.class);

    /**
     * How long the core's JVM shutdown hook leaves the plugins to this lifecycle: Spring's default
     * graceful shutdown phase (30 s) plus the plugins' own stop. Without it, that hook would stop the
     * plugins while the web server still drains requests.
     */
    static final Duration SHUTDOWN_HOOK_GRACE = Duration.ofSeconds(45);

    private final PluginClients clients;
    private volatile boolean running;

    public PluginClientLifecycle(PluginClients clients) {
        this.clients = clients;
    }

    @Override
    public void start() {
        LiveConnections.deferShutdownHook(SHUTDOWN_HOOK_GRACE);
        List<PluginClients.ManagedPlugin> eager = new ArrayList<>();
        for (String name : clients.names()) {
            PluginClients.ManagedPlugin plugin = clients.managed(name);
            if (plugin.lazy()) {
                logger.info("Plugin '{}' is lazy and starts on its first call", name);
            } else {
                eager.add(plugin);
            }
        }

        List<RuntimeException> failures = runInParallel(eager, "plugin-start-", this::startOne);
        running = true;
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    private void startOne(PluginClients.ManagedPlugin plugin) {
        try {
            plugin.start();
        } catch (RuntimeException failure) {
            if (!plugin.optional()) {
                throw failure;
            }
            logger.warn("Optional plugin '{}' could not be started; the application runs without it: {}",
                    plugin.name(), failure instanceof PluginException pluginFailure ? pluginFailure.reason()
                            : failure.toString());
        }
    }

    @Override
    public void stop() {
        List<PluginClients.ManagedPlugin> all = clients.names().stream().map(clients::managed).toList();
        List<RuntimeException> failures = runInParallel(all, "plugin-stop-", plugin -> plugin.client().stop());
        running = false;
        for (RuntimeException failure : failures) {
            logger.warn("Stopping a plugin failed: {}", failure.toString());
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    private static List<RuntimeException> runInParallel(List<PluginClients.ManagedPlugin> plugins, String threadPrefix,
            java.util.function.Consumer<PluginClients.ManagedPlugin> action) {
        List<RuntimeException> failures = new ArrayList<>();
        if (plugins.isEmpty()) {
            return failures;
        }
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(plugins.size(), task -> {
            Thread thread = new Thread(task, threadPrefix + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<CompletableFuture<Void>> futures = plugins.stream()
                    .map(plugin -> CompletableFuture.runAsync(() -> action.accept(plugin), executor))
                    .toList();
            for (CompletableFuture<Void> future : futures) {
                try {
                    future.join();
                } catch (CompletionException failed) {
                    failures.add(failed.getCause() instanceof RuntimeException runtime ? runtime
                            : new IllegalStateException(failed.getCause()));
                }
            }
        } finally {
            executor.shutdown();
        }
        return failures;
    }
}
