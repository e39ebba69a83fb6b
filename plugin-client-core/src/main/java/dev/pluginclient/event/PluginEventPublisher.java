package dev.pluginclient.event;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers {@link PluginEvent}s to the listeners of one plugin, on the calling thread. A listener
 * that throws is logged (at most once per {@value #LISTENER_FAILURE_LOG_EVERY} failures) and the
 * other listeners still receive the event.
 */
public final class PluginEventPublisher {

    private static final Logger log = LoggerFactory.getLogger(PluginEventPublisher.class);
    private static final long LISTENER_FAILURE_LOG_EVERY = 100;

    private final String pluginName;
    private final List<PluginEventListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong listenerFailures = new AtomicLong();

    public PluginEventPublisher(String pluginName, Collection<PluginEventListener> initialListeners) {
        this.pluginName = Objects.requireNonNull(pluginName, "pluginName");
        this.listeners.addAll(initialListeners);
    }

    public void addListener(PluginEventListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(PluginEventListener listener) {
        listeners.remove(listener);
    }

    public boolean hasListeners() {
        return !listeners.isEmpty();
    }

    public void publish(PluginEvent event) {
        for (PluginEventListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException failure) {
                long count = listenerFailures.incrementAndGet();
                if (count % LISTENER_FAILURE_LOG_EVERY == 1) {
                    log.warn("Event listener {} of plugin '{}' threw on {}; the exception is ignored ({} listener "
                            + "failures so far)", listener, pluginName, event.getClass().getSimpleName(), count,
                            failure);
                }
            }
        }
    }
}
