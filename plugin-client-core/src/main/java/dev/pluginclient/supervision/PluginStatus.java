package dev.pluginclient.supervision;

import java.time.Instant;
import java.util.List;

/**
 * A point-in-time view of a managed plugin, for health endpoints and dashboards. Contains no
 * secrets: no certificate, cookie or environment value.
 *
 * @param name the plugin's name
 * @param state the overall state: READY when at least one pool member is READY
 * @param members one entry per process in the pool
 * @param restarts restarts since the client was created
 * @param circuitBreakerState the circuit breaker's state name, or {@code DISABLED}
 * @param lastError the message of the last start, health or restart failure, or null
 * @param lastErrorAt when {@code lastError} happened, or null
 */
public record PluginStatus(String name, PluginState state, List<Member> members, long restarts,
        String circuitBreakerState, String lastError, Instant lastErrorAt) {

    public PluginStatus {
        members = List.copyOf(members);
    }

    /** The first member's pid, or -1 when no process runs (or the pid of a reattached plugin is unknown). */
    public long pid() {
        return members.isEmpty() ? -1 : members.get(0).pid();
    }

    public String address() {
        return members.isEmpty() ? null : members.get(0).address();
    }

    public String transport() {
        return members.isEmpty() ? null : members.get(0).transport();
    }

    public int protocolVersion() {
        return members.isEmpty() ? 0 : members.get(0).protocolVersion();
    }

    /**
     * One process of a plugin.
     *
     * @param index position in the pool, from 0
     * @param state this member's state
     * @param pid process id, or -1 when none runs
     * @param address socket path or host:port, or null
     * @param transport {@code unix}, {@code tcp}, {@code unix+mtls} or {@code tcp+mtls}, or null
     * @param protocolVersion the negotiated app protocol version, or 0
     * @param outstandingCalls calls in flight on this member
     * @param startedAt when the current process started, or null
     */
    public record Member(int index, PluginState state, long pid, String address, String transport,
            int protocolVersion, int outstandingCalls, Instant startedAt) {
    }
}
