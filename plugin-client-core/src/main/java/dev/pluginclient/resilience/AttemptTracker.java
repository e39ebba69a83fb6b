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

    /** Marks the attempt as handed to a live connection. */
    public void markSent() {
        sent = true;
    }

    /** Tells whether the attempt may have reached the plugin. */
    public boolean sent() {
        return sent;
    }
}
