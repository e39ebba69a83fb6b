package dev.pluginclient.supervision;

import dev.pluginclient.ErrorCode;
import dev.pluginclient.PluginClient;
import dev.pluginclient.PluginConfig;
import dev.pluginclient.PluginConnection;
import dev.pluginclient.PluginException;
import dev.pluginclient.PluginUnavailableException;
import dev.pluginclient.event.PluginEvent;
import dev.pluginclient.event.PluginEventListener;
import dev.pluginclient.event.PluginEventPublisher;
import dev.pluginclient.resilience.CallOutcomes;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the processes of one managed plugin running and routes the calls of its stable channel.
 *
 * <p>Each pool member is supervised on its own (see {@link PoolMember}). The plugin's state is
 * derived from its members: READY while any member is READY, FAILED when every member is FAILED.
 * Calls go to the READY member with the fewest calls in flight, or wait for one within their
 * deadline.
 */
public final class PluginSupervisor {

    private static final Logger log = LoggerFactory.getLogger(PluginSupervisor.class);

    /** How long after a connection broke the process may still count as alive before its exit is noticed. */
    private static final Duration PROCESS_EXIT_GRACE = Duration.ofMillis(500);

    private final PluginClient.Builder settings;
    private final String name;
    private final List<PoolMember> members;
    private final PluginEventPublisher events;
    private final CircuitBreaker circuitBreaker;
    private final Retry retry;
    private final StableChannel channel;
    private final RateLimitedLog rateLimitedLog = new RateLimitedLog(1, TimeUnit.SECONDS);
    private final ConcurrentLinkedQueue<Runnable> waiters = new ConcurrentLinkedQueue<>();
    private final AtomicLong restarts = new AtomicLong();
    private final AtomicInteger nextScanStart = new AtomicInteger();
    private final Object lifecycleLock = new Object();

    private volatile boolean stopped = true;
    private volatile PluginState state = PluginState.STOPPED;
    private volatile Instant circuitOpenedAt;
    private volatile String lastError;
    private volatile Instant lastErrorAt;

    public PluginSupervisor(PluginClient.Builder settings) {
        this.settings = settings;
        this.name = settings.config().name();
        this.events = new PluginEventPublisher(name, settings.listeners());
        List<PoolMember> pool = new ArrayList<>();
        for (int index = 0; index < settings.poolSize(); index++) {
            pool.add(new PoolMember(index, this));
        }
        this.members = List.copyOf(pool);
        this.circuitBreaker = settings.circuitBreaker().enabled() ? createCircuitBreaker() : null;
        this.retry = Retry.of(name, settings.retry().toRetryConfig());
        this.channel = new StableChannel(this, settings.callTimeout(), settings.retry(), retry);
    }

    private CircuitBreaker createCircuitBreaker() {
        CircuitBreaker breaker = CircuitBreaker.of(name, settings.circuitBreaker().toCircuitBreakerConfig());
        breaker.getEventPublisher().onStateTransition(transition -> {
            CircuitBreaker.State from = transition.getStateTransition().getFromState();
            CircuitBreaker.State to = transition.getStateTransition().getToState();
            if (to == CircuitBreaker.State.OPEN) {
                circuitOpenedAt = Instant.now();
                CircuitBreaker.Metrics metrics = breaker.getMetrics();
                log.warn("Circuit breaker of plugin '{}' moved from {} to OPEN (failure rate {} %, slow-call rate {} %);"
                        + " calls are rejected for {}", name, from, metrics.getFailureRate(),
                        metrics.getSlowCallRate(), settings.circuitBreaker().waitInOpen());
            } else {
                log.info("Circuit breaker of plugin '{}' moved from {} to {}", name, from, to);
            }
            publish(new PluginEvent.CircuitStateChanged(name, Instant.now(), from.name(), to.name()));
        });
        return breaker;
    }

    public PluginConfig config() {
        return settings.config();
    }

    PluginClient.Builder settings() {
        return settings;
    }

    String name() {
        return name;
    }

    // Life cycle.

    /**
     * Starts every pool member and blocks until one is READY or the plugin is FAILED. A plugin that
     * keeps failing to start is restarted within its restart budget first, so with the default
     * restart policy this can take minutes. When the plugin already runs, it only waits for READY
     * (or throws when the plugin is FAILED).
     *
     * @throws PluginException when the plugin is FAILED: the start failure itself when restarting
     *         cannot help (a missing executable, for example), else a {@link PluginUnavailableException}
     */
    public void start() {
        synchronized (lifecycleLock) {
            if (stopped) {
                stopped = false;
                log.info("Starting plugin '{}' ({} process{}: {})", name, members.size(),
                        members.size() == 1 ? "" : "es", settings.config().commandLine());
                for (PoolMember member : members) {
                    member.start();
                }
            }
        }
        awaitReadyOrFailed();
    }

    /** Stops every process gracefully and fails waiting and later calls with PLUGIN_STOPPED. Idempotent. */
    public void stop() {
        synchronized (lifecycleLock) {
            if (stopped && state == PluginState.STOPPED) {
                return;
            }
            stopped = true;
            List<CompletableFuture<Void>> stops = new ArrayList<>();
            for (PoolMember member : members) {
                stops.add(CompletableFuture.runAsync(member::stop, SharedExecutors.workers()));
            }
            CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).join();
            memberChanged("stopped on request");
            log.info("Stopped plugin '{}'", name);
        }
    }

    /**
     * Restarts every member now, also from FAILED or STOPPED, with a fresh restart budget, and blocks
     * until one is READY. Calls made meanwhile wait for it.
     */
    public void restart() {
        synchronized (lifecycleLock) {
            stopped = false;
            log.info("Restarting plugin '{}' on request", name);
            List<CompletableFuture<Void>> restarting = new ArrayList<>();
            for (PoolMember member : members) {
                restarting.add(CompletableFuture.runAsync(member::restart, SharedExecutors.workers()));
            }
            CompletableFuture.allOf(restarting.toArray(CompletableFuture[]::new)).join();
        }
        awaitReadyOrFailed();
    }

    private void awaitReadyOrFailed() {
        PluginState reached;
        synchronized (this) {
            while (state != PluginState.READY && state != PluginState.UNHEALTHY && state != PluginState.FAILED
                    && state != PluginState.STOPPED) {
                try {
                    wait();
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new PluginUnavailableException(name, ErrorCode.START_FAILED,
                            "interrupted while waiting for the plugin to start", null, null, interrupted);
                }
            }
            reached = state;
        }
        if (reached == PluginState.FAILED) {
            RuntimeException failure = members.get(0).lastFailure();
            if (failure instanceof PluginException plugin && plugin.code() != ErrorCode.PLUGIN_EXITED
                    && !PluginException.isTransient(plugin) && plugin.code() != ErrorCode.HEALTH_CHECK_FAILED) {
                throw plugin;
            }
            throw new PluginUnavailableException(name, ErrorCode.PLUGIN_FAILED, "the plugin failed to start: "
                    + lastError, "fix the cause, then call restart()", null, failure);
        }
        if (reached == PluginState.STOPPED) {
            throw new PluginUnavailableException(name, ErrorCode.PLUGIN_STOPPED,
                    "the plugin was stopped while it was starting", null, null, null);
        }
    }

    // State.

    public PluginState state() {
        return state;
    }

    public PluginStatus status() {
        List<PluginStatus.Member> snapshots = new ArrayList<>();
        for (PoolMember member : members) {
            snapshots.add(member.snapshot());
        }
        String circuit = circuitBreaker == null ? "DISABLED" : circuitBreaker.getState().name();
        return new PluginStatus(name, state, snapshots, restarts.get(), circuit, lastError, lastErrorAt);
    }

    public Channel channel() {
        return channel;
    }

    public Optional<CircuitBreaker> circuitBreaker() {
        return Optional.ofNullable(circuitBreaker);
    }

    public void addListener(PluginEventListener listener) {
        events.addListener(listener);
    }

    public void removeListener(PluginEventListener listener) {
        events.removeListener(listener);
    }

    /** Recomputes the plugin's state after a member changed, publishes the change and wakes waiting calls. */
    void memberChanged(String reason) {
        // The event is published under the lock, before waiters wake: listeners see transitions in the
        // order they happened, and a caller returning from start() has already been sent the event.
        synchronized (this) {
            PluginState from = state;
            PluginState to = aggregateState();
            state = to;
            if (from != to) {
                if (to == PluginState.FAILED || to == PluginState.UNHEALTHY || to == PluginState.RESTARTING) {
                    log.warn("Plugin '{}' is {} (was {}){}", name, to, from, reason == null ? "" : ": " + reason);
                } else {
                    log.info("Plugin '{}' is {} (was {})", name, to, from);
                }
                publish(new PluginEvent.StateChanged(name, Instant.now(), from, to, reason));
            }
            notifyAll();
        }
        wakeWaiters();
    }

    private PluginState aggregateState() {
        if (stopped) {
            return PluginState.STOPPED;
        }
        boolean unhealthy = false;
        boolean restarting = false;
        boolean starting = false;
        boolean allFailed = true;
        for (PoolMember member : members) {
            PluginState memberState = member.state();
            if (memberState == PluginState.READY) {
                return PluginState.READY;
            }
            unhealthy |= memberState == PluginState.UNHEALTHY;
            restarting |= memberState == PluginState.RESTARTING;
            starting |= memberState == PluginState.STARTING;
            allFailed &= memberState == PluginState.FAILED;
        }
        if (unhealthy) {
            return PluginState.UNHEALTHY;
        }
        if (restarting) {
            return PluginState.RESTARTING;
        }
        if (starting) {
            return PluginState.STARTING;
        }
        return allFailed ? PluginState.FAILED : PluginState.STOPPED;
    }

    void recordError(String message) {
        lastError = message;
        lastErrorAt = Instant.now();
    }

    void restartScheduled() {
        restarts.incrementAndGet();
    }

    void publish(PluginEvent event) {
        events.publish(event);
    }

    /** Tells whether a repeatable log line with this key may be written now. */
    boolean admitLog(String key) {
        return rateLimitedLog.admit(key) >= 0;
    }

    // Routing of calls.

    /** A member and the connection a call was sent on. */
    record Route(PoolMember member, PluginConnection connection) {
    }

    /**
     * Picks the READY member with the fewest calls in flight. When no member is READY, it picks an
     * UNHEALTHY one that still runs, because it may respond before a restart would. Returns null
     * when no member runs.
     */
    Route pickRoute() {
        Route best = null;
        int bestLoad = Integer.MAX_VALUE;
        boolean bestReady = false;
        // Start the scan at a rotating position so that equally loaded members take turns.
        int size = members.size();
        int first = size == 1 ? 0 : Math.floorMod(nextScanStart.getAndIncrement(), size);
        for (int offset = 0; offset < size; offset++) {
            PoolMember member = members.get((first + offset) % size);
            PluginState memberState = member.state();
            boolean ready = memberState == PluginState.READY;
            if (!ready && memberState != PluginState.UNHEALTHY) {
                continue;
            }
            PluginConnection connection = member.connection();
            if (connection == null) {
                continue;
            }
            int load = member.outstandingCalls();
            if ((ready && !bestReady) || (ready == bestReady && load < bestLoad)) {
                best = new Route(member, connection);
                bestLoad = load;
                bestReady = ready;
            }
        }
        return best;
    }

    void addWaiter(Runnable waiter) {
        waiters.add(waiter);
    }

    void removeWaiter(Runnable waiter) {
        waiters.remove(waiter);
    }

    private void wakeWaiters() {
        // Each woken call either dispatches, fails or registers again, so run only the ones queued now.
        for (int count = waiters.size(); count > 0; count--) {
            Runnable waiter = waiters.poll();
            if (waiter == null) {
                return;
            }
            waiter.run();
        }
    }

    /** The status that fails a call at once, or null when calls may go through or wait. */
    Status unavailableStatus() {
        PluginState current = state;
        if (current == PluginState.FAILED) {
            PluginUnavailableException failure = new PluginUnavailableException(name, ErrorCode.PLUGIN_FAILED,
                    "the plugin is FAILED: " + lastError, "fix the cause, then call PluginClient.restart()", null,
                    null);
            return Status.UNAVAILABLE.withDescription(failure.getMessage()).withCause(failure);
        }
        if (current == PluginState.STOPPED) {
            PluginUnavailableException failure = new PluginUnavailableException(name, ErrorCode.PLUGIN_STOPPED,
                    "the plugin is stopped", "call PluginClient.start() before making calls", null, null);
            return Status.UNAVAILABLE.withDescription(failure.getMessage()).withCause(failure);
        }
        return null;
    }

    PluginException restartingException(String currentState) {
        return new PluginException(name, ErrorCode.RESTARTING, "no process of the plugin was ready (state "
                + currentState + ")", "give the call a longer deadline or see status().lastError()", null, null);
    }

    boolean tryAcquireCircuitPermission() {
        return circuitBreaker == null || circuitBreaker.tryAcquirePermission();
    }

    /** UNAVAILABLE with a {@link PluginUnavailableException} (CIRCUIT_OPEN) that states when to try again. */
    Status circuitOpenStatus() {
        CircuitBreaker.State circuitState = circuitBreaker.getState();
        Instant openedAt = circuitOpenedAt;
        Instant retryAfter = null;
        String message;
        if (circuitState == CircuitBreaker.State.OPEN && openedAt != null) {
            retryAfter = openedAt.plus(settings.circuitBreaker().waitInOpen());
            long inMillis = Math.max(0, Duration.between(Instant.now(), retryAfter).toMillis());
            message = "the circuit breaker is OPEN because too many recent calls failed or were slow; it lets "
                    + "trial calls through again at " + retryAfter + " (in " + inMillis + " ms)";
        } else {
            // CLOSED here means the circuit is opening: resilience4j rejects before its state changes.
            message = "the circuit breaker is " + (circuitState == CircuitBreaker.State.CLOSED ? "opening"
                    : circuitState) + " and lets no more calls through now";
        }
        // Every rejected call makes one: its stack trace would only show this method, at a cost of microseconds.
        PluginUnavailableException failure = new PluginUnavailableException(name, ErrorCode.CIRCUIT_OPEN, message,
                "see status().lastError() and the plugin's log for why its calls fail", retryAfter, null, false);
        return Status.UNAVAILABLE.withDescription(failure.getMessage()).withCause(failure);
    }

    /** Records the end of an attempt that ran on a member. */
    void attemptEnded(Route route, MethodDescriptor<?, ?> method, Status status, long durationNanos,
            boolean permitHeld) {
        route.member().callEnded();
        PluginConnection connection = route.connection();

        if (status.getCode() == Status.Code.UNAVAILABLE) {
            route.member().onConnectionFailure(connection);
        } else if (status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            route.member().onDeadlineExceeded(connection);
        } else if (status.getCode() != Status.Code.CANCELLED && status.getCode() != Status.Code.UNAVAILABLE) {
            route.member().onCallAnswered(connection);
        }

        if (permitHeld) {
            recordCircuitOutcome(route, status, durationNanos);
        }
        publishCallCompleted(method, status, durationNanos);
    }

    /**
     * Records the end of an attempt that never reached a member. It does not count for the circuit
     * breaker: waiting for a restart is the supervisor's concern, and an open circuit would go on
     * rejecting calls after the restart.
     */
    void attemptFailedEarly(MethodDescriptor<?, ?> method, Status status, long durationNanos, boolean permitHeld,
            boolean countAsAttempt) {
        if (permitHeld) {
            circuitBreaker.releasePermission();
        }
        if (countAsAttempt) {
            publishCallCompleted(method, status, durationNanos);
        }
    }

    private void recordCircuitOutcome(Route route, Status status, long durationNanos) {
        if (status.getCode() == Status.Code.CANCELLED) {
            circuitBreaker.releasePermission();
            return;
        }
        if (status.getCode() == Status.Code.UNAVAILABLE) {
            // A connection that broke because the process died is the supervisor's to handle: counting
            // it would open the circuit after every crash under load. The exit may be noticed a little
            // after the connection broke, and a local status such as "Channel shutdown invoked" looks
            // like one the plugin sent, so every UNAVAILABLE waits for the process's fate.
            if (processDied(route)) {
                circuitBreaker.releasePermission();
                return;
            }
            SharedExecutors.scheduler().schedule(() -> {
                if (processDied(route)) {
                    circuitBreaker.releasePermission();
                } else {
                    circuitBreaker.onError(durationNanos, TimeUnit.NANOSECONDS, status.asRuntimeException());
                }
            }, PROCESS_EXIT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        if (CallOutcomes.isCircuitBreakerFailure(status)) {
            circuitBreaker.onError(durationNanos, TimeUnit.NANOSECONDS, status.asRuntimeException());
        } else {
            circuitBreaker.onSuccess(durationNanos, TimeUnit.NANOSECONDS);
        }
    }

    static boolean processDied(Route route) {
        return route.member().connection() != route.connection() || !route.connection().isAlive();
    }

    private void publishCallCompleted(MethodDescriptor<?, ?> method, Status status, long durationNanos) {
        if (events.hasListeners()) {
            publish(new PluginEvent.CallCompleted(name, Instant.now(), method.getFullMethodName(), status.getCode(),
                    Duration.ofNanos(durationNanos)));
        }
    }

    void retryScheduled(String fullMethodName, int attempt, Duration delay, Status cause) {
        long suppressed = rateLimitedLog.admit("retry");
        if (suppressed >= 0) {
            log.info("Retrying call {} to plugin '{}' (attempt {} of {}) in {} ms after {}{}", fullMethodName, name,
                    attempt, settings.retry().maxAttempts(), delay.toMillis(), describe(cause),
                    RateLimitedLog.suppressedSuffix(suppressed));
        }
        publish(new PluginEvent.RetryScheduled(name, Instant.now(), fullMethodName, attempt, delay, cause));
    }

    private static String describe(Status status) {
        return status.getDescription() == null ? status.getCode().name()
                : status.getCode() + ": " + status.getDescription();
    }
}
