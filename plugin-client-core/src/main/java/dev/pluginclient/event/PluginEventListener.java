package dev.pluginclient.event;

/** Receives {@link PluginEvent}s. Exceptions thrown by a listener are logged and otherwise ignored. */
@FunctionalInterface
public interface PluginEventListener {

    void onEvent(PluginEvent event);
}
