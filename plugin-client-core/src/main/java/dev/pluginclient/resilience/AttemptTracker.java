package dev.pluginclient.resilience;

import io.grpc.CallOptions;

/**
 * Records whether one call attempt was handed to a live plugin connection. An attempt that never
 * was (the plugin was restarting, or the circuit was open) cannot have reached the plugin, so it
 * is safe to retry even for a method that is not idempotent.
 *
 * <p>The attempt's channel finds the tracker under {@link #KEY} in the call options.
 */
public final class AttemptTracker {

    public static final CallOptions.Key<AttemptTracker> KEY = CallOptions.Key.create("plugin-client-attempt");

    private volatile boolean sent;
    private volatile boolean pluginGone;

    /** Marks the attempt as handed to a live connection. */
    public void markSent() {
        sent = true;
    }

    /** Tells whether the attempt may have reached the plugin. */
    public boolean sent() {
        return sent;
    }

    /**
     * Marks the attempt as failed because its plugin process died. Such a member has left the
     * rotation, so the next attempt waits for the restart by itself and needs no backoff.
     */
    public void markPluginGone() {
        pluginGone = true;
    }

    public boolean pluginGone() {
        return pluginGone;
    }
}
