package dev.pluginclient.spring.autoconfigure;

import dev.pluginclient.ErrorCode;
import dev.pluginclient.PluginClient;
import dev.pluginclient.PluginException;
import dev.pluginclient.PluginUnavailableException;
import dev.pluginclient.resilience.CircuitBreakerPolicy;
import dev.pluginclient.resilience.RetryPolicy;
import io.grpc.Channel;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;

/**
 * The managed plugins of the application, by name. Each client is also a bean of its own, named and
 * qualified by the plugin's name.
 *
 * <p>Channels from {@link #channel(String)} and stubs from {@link #stub(String, Function)} start a
 * lazy plugin on their first call. A {@link PluginClient} taken from {@link #get(String)} does not:
 * call {@link #ensureStarted(String)} first, or {@code client.start()}.
 */
public class PluginClients implements DisposableBean {

    private static final Logger logger = LoggerFactory.getLogger(PluginClients.class);

    private final Map<String, ManagedPlugin> plugins;

    public PluginClients(Map<String, ManagedPlugin> plugins) {
        this.plugins = Collections.unmodifiableMap(new LinkedHashMap<>(plugins));
    }

    /**
     * Returns the client of the named plugin.
     *
     * @throws NoSuchElementException when no plugin of that name is configured
     */
    public PluginClient get(String name) {
        return managed(name).client();
    }

    /** Returns every client, by plugin name, in name order. */
    public Map<String, PluginClient> all() {
        Map<String, PluginClient> clients = new LinkedHashMap<>();
        plugins.forEach((name, plugin) -> clients.put(name, plugin.client()));
        return Collections.unmodifiableMap(clients);
    }

    public Set<String> names() {
        return plugins.keySet();
    }

    public boolean contains(String name) {
        return plugins.containsKey(name);
    }

    /** Returns a channel to the named plugin that starts the plugin on its first call when it is lazy. */
    public Channel channel(String name) {
        return managed(name).channel();
    }

    /**
     * Creates a stub of the named plugin, for example
     * {@code clients.stub("calculator", CalculatorGrpc::newBlockingStub)}.
     */
    public <T> T stub(String name, Function<Channel, T> stubFactory) {
        Objects.requireNonNull(stubFactory, "stubFactory");
        return stubFactory.apply(channel(name));
    }

    /**
     * Starts the named plugin if it is lazy and was not started yet. Does nothing for other plugins.
     *
     * @throws PluginUnavailableException when the lazy plugin cannot be started
     */
    public void ensureStarted(String name) {
        managed(name).ensureStarted();
    }

    /** Tells whether the named plugin is lazy and waits for its first use. */
    public boolean isAwaitingFirstUse(String name) {
        return managed(name).isAwaitingFirstUse();
    }

    /** Tells whether the application keeps running when the named plugin cannot start. */
    public boolean isOptional(String name) {
        return managed(name).optional();
    }

    /** Returns the named plugin with its start options. */
    public ManagedPlugin managed(String name) {
        ManagedPlugin plugin = plugins.get(name);
        if (plugin == null) {
            throw new NoSuchElementException("No plugin named '" + name + "' is configured. Configured plugins: "
                    + plugins.keySet() + ". Add it under " + PluginPropertiesBinder.PLUGINS + "." + name + ".");
        }
        return plugin;
    }

    /** Stops every plugin process. Called when the context closes, also when it failed to start. */
    @Override
    public void destroy() {
        for (ManagedPlugin plugin : plugins.values()) {
            try {
                plugin.client().stop();
            } catch (RuntimeException failure) {
                logger.warn("Stopping plugin '{}' failed: {}", plugin.name(), failure.toString());
            }
        }
    }

    /**
     * One configured plugin: its client and how it is started.
     */
    public static final class ManagedPlugin {

        private final String name;
        private final PluginClient client;
        private final boolean optional;
        private final boolean lazy;
        private final RetryPolicy retryPolicy;
        private final CircuitBreakerPolicy circuitBreakerPolicy;
        private final Channel channel;
        private final Object startLock = new Object();
        private volatile boolean startAttempted;

        public ManagedPlugin(String name, PluginClient client, boolean optional, boolean lazy,
                RetryPolicy retryPolicy, CircuitBreakerPolicy circuitBreakerPolicy) {
            this.name = name;
            this.client = client;
            this.optional = optional;
            this.lazy = lazy;
            this.retryPolicy = retryPolicy;
            this.circuitBreakerPolicy = circuitBreakerPolicy;
            this.channel = new LazyStartChannel(this);
        }

        public String name() {
            return name;
        }

        public PluginClient client() {
            return client;
        }

        public boolean optional() {
            return optional;
        }

        public boolean lazy() {
            return lazy;
        }

        /** Returns the plugin's retry settings, which {@code @PluginCall} methods use too. */
        public RetryPolicy retryPolicy() {
            return retryPolicy;
        }

        /** Returns the plugin's circuit-breaker settings, which {@code @PluginCall} methods use too. */
        public CircuitBreakerPolicy circuitBreakerPolicy() {
            return circuitBreakerPolicy;
        }

        /** Returns a channel that starts a lazy plugin on the first call. */
        public Channel channel() {
            return channel;
        }

        boolean isAwaitingFirstUse() {
            return lazy && !startAttempted;
        }

        /**
         * Starts the plugin unless a start was attempted already. Concurrent callers wait for the one
         * start, and a failed start is not repeated: restart the plugin through the {@code plugins}
         * endpoint or {@code client.restart()}.
         */
        void start() {
            synchronized (startLock) {
                if (startAttempted) {
                    return;
                }
                startAttempted = true;
                client.start();
            }
        }

        /**
         * Restarts the plugin now, also from FAILED and also a lazy plugin that was not used yet.
         * Blocks until it is READY.
         *
         * @throws dev.pluginclient.PluginException when the restart fails
         */
        public void restartNow() {
            synchronized (startLock) {
                startAttempted = true;
                client.restart();
            }
        }

        void ensureStarted() {
            if (!lazy || startAttempted) {
                return;
            }
            try {
                start();
            } catch (PluginException failure) {
                throw new PluginUnavailableException(name, ErrorCode.PLUGIN_FAILED,
                        "the lazy plugin could not be started on its first use: " + failure.reason(),
                        failure.hint(), null, failure);
            } catch (RuntimeException failure) {
                throw new PluginUnavailableException(name, ErrorCode.PLUGIN_FAILED,
                        "the lazy plugin could not be started on its first use: " + failure,
                        "see the cause, and restart the plugin through the plugins endpoint once it is fixed", null,
                        failure);
            }
        }
    }
}
