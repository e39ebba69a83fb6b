package dev.pluginclient.supervision;

/** The life-cycle state of a managed plugin, as shown in health and metrics. */
public enum PluginState {
    /** Being started for the first time, or started again after {@code restart()}. */
    STARTING,
    /** Running, connected and healthy; calls go through. */
    READY,
    /** Running, but health checks or calls are failing; it will be restarted once the threshold is reached. */
    UNHEALTHY,
    /** Exited or hung and waiting (with backoff) to be started again; calls wait within their deadline. */
    RESTARTING,
    /** Stopped on request, or never started. */
    STOPPED,
    /** Could not be (re)started within its restart budget; stays so until {@code restart()} is called. */
    FAILED
}
