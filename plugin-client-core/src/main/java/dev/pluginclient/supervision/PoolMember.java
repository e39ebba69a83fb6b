package dev.pluginclient.supervision;

import dev.pluginclient.ErrorCode;
import dev.pluginclient.PluginConnection;
import dev.pluginclient.PluginConnection.PluginExit;
import dev.pluginclient.PluginException;
import dev.pluginclient.PluginLauncher;
import dev.pluginclient.PluginUnavailableException;
import dev.pluginclient.event.PluginEvent;
import dev.pluginclient.health.HealthPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one process of a plugin running: starts it, watches for its exit and for hangs (health
 * checks and timed-out calls), and restarts it with backoff within the restart budget.
 *
 * <p>Every start, stop and restart request bumps {@code generation}; callbacks of an older
 * generation (a late exit notice, a health check of a replaced process) are ignored. A connection
 * is retired exactly once, by whichever of exit, hang or stop notices it first.
 */
final class PoolMember {

    private static final Logger log = LoggerFactory.getLogger(PoolMember.class);

    /** Start failures that a restart cannot fix: the member is FAILED at once. */
    private static final Set<ErrorCode> PERMANENT_START_FAILURES = EnumSet.of(ErrorCode.INVALID_CONFIGURATION,
            ErrorCode.EXECUTABLE_NOT_FOUND, ErrorCode.EXECUTABLE_NOT_RUNNABLE, ErrorCode.CHECKSUM_MISMATCH,
            ErrorCode.INCOMPATIBLE_CORE_VERSION, ErrorCode.INCOMPATIBLE_APP_VERSION, ErrorCode.UNSUPPORTED_PROTOCOL,
            ErrorCode.UNSUPPORTED_NETWORK, ErrorCode.REMOTE_ADDRESS_REJECTED, ErrorCode.SOCKET_PATH_TOO_LONG,
            ErrorCode.INVALID_CERTIFICATE, ErrorCode.MISSING_CERTIFICATE);

    /** A process that ran at least this long before it exited restarts with the initial backoff again. */
    private static final Duration MIN_HEALTHY_RUN = Duration.ofSeconds(10);

    private final int index;
    private final PluginSupervisor supervisor;
    private final RestartPolicy restartPolicy;
    private final HealthPolicy healthPolicy;
    private final AtomicInteger outstandingCalls = new AtomicInteger();
    private final AtomicInteger consecutiveDeadlineExceeded = new AtomicInteger();

    private volatile PluginConnection connection;
    private volatile PluginState state = PluginState.STOPPED;

    // Guarded by this.
    private long generation;
    private boolean stopped = true;
    private ScheduledFuture<?> healthTask;
    private ScheduledFuture<?> restartTask;
    private int consecutiveHealthFailures;
    private int consecutiveRestarts;
    private final Deque<Long> restartTimesNanos = new ArrayDeque<>();
    private CompletableFuture<Void> readiness = new CompletableFuture<>();
    private RuntimeException lastFailure;
    private PluginConnection diedAwaitingExit;

    PoolMember(int index, PluginSupervisor supervisor) {
        this.index = index;
        this.supervisor = supervisor;
        this.restartPolicy = supervisor.settings().restartPolicy();
        this.healthPolicy = supervisor.settings().health();
    }

    int index() {
        return index;
    }

    PluginState state() {
        return state;
    }

    /** The live connection, or null while the member is not running. */
    PluginConnection connection() {
        return connection;
    }

    int outstandingCalls() {
        return outstandingCalls.get();
    }

    void callStarted() {
        outstandingCalls.incrementAndGet();
    }

    void callEnded() {
        outstandingCalls.decrementAndGet();
    }

    /** The failure that made this member FAILED, or null. */
    synchronized RuntimeException lastFailure() {
        return lastFailure;
    }

    PluginStatus.Member snapshot() {
        PluginConnection current = connection;
        if (current == null) {
            return new PluginStatus.Member(index, state, -1, null, null, 0, outstandingCalls.get(), null);
        }
        return new PluginStatus.Member(index, state, current.pid(), current.address(), current.transport(),
                current.protocolVersion(), outstandingCalls.get(), current.startedAt());
    }

    /**
     * Starts the process with a fresh restart budget. The returned future completes when the member
     * is READY, or exceptionally when it is FAILED or stopped first.
     */
    CompletableFuture<Void> start() {
        long startGeneration;
        CompletableFuture<Void> ready;
        synchronized (this) {
            stopped = false;
            startGeneration = ++generation;
            diedAwaitingExit = null;
            restartTimesNanos.clear();
            consecutiveRestarts = 0;
            lastFailure = null;
            if (readiness.isDone()) {
                readiness = new CompletableFuture<>();
            }
            ready = readiness;
            state = PluginState.STARTING;
        }
        supervisor.memberChanged(null);
        launch(startGeneration, false);
        return ready;
    }

    /**
     * Replaces the process with a new one and a fresh restart budget: the member is STARTING (never
     * STOPPED) meanwhile, so that calls wait for the new process instead of failing.
     */
    void restart() {
        PluginConnection old;
        long restartGeneration;
        synchronized (this) {
            stopped = false;
            restartGeneration = ++generation;
            diedAwaitingExit = null;
            cancelTasks();
            old = connection;
            connection = null;
            restartTimesNanos.clear();
            consecutiveRestarts = 0;
            lastFailure = null;
            if (readiness.isDone()) {
                readiness = new CompletableFuture<>();
            }
            state = PluginState.STARTING;
        }
        supervisor.memberChanged("restart requested");
        if (old != null) {
            log.info("Stopping plugin '{}' (pid {}, member {}) to restart it", supervisor.name(), old.pid(), index);
            stopQuietly(old);
        }
        launch(restartGeneration, true);
    }

    /** Stops the process gracefully and blocks until it is gone. Idempotent. */
    void stop() {
        PluginConnection current;
        CompletableFuture<Void> ready;
        synchronized (this) {
            stopped = true;
            generation++;
            diedAwaitingExit = null;
            cancelTasks();
            current = connection;
            connection = null;
            state = PluginState.STOPPED;
            ready = readiness;
        }
        ready.completeExceptionally(new PluginUnavailableException(supervisor.name(), ErrorCode.PLUGIN_STOPPED,
                "the plugin was stopped before it became ready", null, null, null));
        supervisor.memberChanged(null);
        if (current != null) {
            log.info("Stopping plugin '{}' (pid {}, member {})", supervisor.name(), current.pid(), index);
            stopQuietly(current);
        }
    }

    private void launch(long launchGeneration, boolean restart) {
        SharedExecutors.workers().execute(() -> {
            PluginConnection started;
            try {
                started = PluginLauncher.connect(supervisor.config());
            } catch (RuntimeException | LinkageError failure) {
                onLaunchFailed(launchGeneration, failure);
                return;
            }
            onLaunched(launchGeneration, started, restart);
        });
    }

    private void onLaunched(long launchGeneration, PluginConnection started, boolean restart) {
        CompletableFuture<Void> ready;
        synchronized (this) {
            if (launchGeneration != generation || stopped) {
                ready = null;
            } else {
                connection = started;
                state = PluginState.READY;
                consecutiveHealthFailures = 0;
                consecutiveDeadlineExceeded.set(0);
                ready = readiness;
            }
        }
        if (ready == null) {
            // Stopped or restarted while this process was starting: it is not wanted any more.
            stopQuietly(started);
            return;
        }

        log.info("Plugin '{}' {} (pid {}, member {}): {} on {}, protocol version {}, ready in {} ms",
                supervisor.name(), restart ? "restarted" : "started", started.pid(), index, started.transport(),
                started.address(), started.protocolVersion(), started.startDuration().toMillis());
        supervisor.publish(new PluginEvent.ProcessStarted(supervisor.name(), Instant.now(), started.pid(),
                started.address(), started.protocolVersion(), started.startDuration(), restart));
        started.onExit().thenAccept(exit -> onExit(started, exit));
        scheduleHealthCheck(launchGeneration);
        supervisor.memberChanged(null);
        ready.complete(null);
    }

    private void onLaunchFailed(long launchGeneration, Throwable failure) {
        RuntimeException error = failure instanceof RuntimeException runtime ? runtime
                : new IllegalStateException(failure.toString(), failure);
        synchronized (this) {
            if (launchGeneration != generation || stopped) {
                return;
            }
        }
        String message = error.getMessage() != null ? error.getMessage() : error.toString();
        supervisor.recordError(message);
        if (isPermanent(error)) {
            log.warn("Plugin '{}' (member {}) cannot be started and will not be restarted: {}", supervisor.name(),
                    index, message);
            fail(launchGeneration, error, message);
            return;
        }
        if (supervisor.admitLog("start-failed-" + index)) {
            log.warn("Plugin '{}' (member {}) failed to start: {}", supervisor.name(), index, message);
        }
        scheduleRestart(launchGeneration, error, "start failed: " + message, null);
    }

    private static boolean isPermanent(RuntimeException failure) {
        if (failure instanceof PluginException plugin) {
            return PERMANENT_START_FAILURES.contains(plugin.code());
        }
        // An unexpected exception is a bug or a broken environment that starting again will not fix.
        return true;
    }

    private void onExit(PluginConnection exited, PluginExit exit) {
        supervisor.publish(new PluginEvent.ProcessExited(supervisor.name(), Instant.now(), exit.pid(),
                exit.exitCode(), exit.expected()));
        long exitGeneration;
        synchronized (this) {
            boolean noticedEarlier = diedAwaitingExit == exited;
            if (noticedEarlier) {
                diedAwaitingExit = null;
            } else if (!retire(exited)) {
                return;
            }
            exitGeneration = generation;
        }
        stopQuietlyAsync(exited);

        String message = "the process (pid " + exit.pid() + ") exited unexpectedly with code " + exit.exitCode();
        String tail = exit.stderrTail();
        // The connection logs the exit itself; this line adds what the plugin wrote before it died.
        if (tail != null && !tail.isBlank() && supervisor.admitLog("exit-" + index)) {
            log.warn("Plugin '{}' (pid {}, member {}) exited unexpectedly with code {}; last lines of its stderr:{}{}",
                    supervisor.name(), exit.pid(), index, exit.exitCode(), System.lineSeparator(),
                    tail.stripTrailing());
        }
        PluginException error = new PluginException(supervisor.name(), ErrorCode.PLUGIN_EXITED, message,
                "see the plugin's stderr", tail, null);
        supervisor.recordError(error.getMessage());
        scheduleRestart(exitGeneration, error, message, exited.startedAt());
    }

    /**
     * Takes a connection out of rotation when a call on it failed and its process is dead. The exit
     * notice, which schedules the restart with the exit status, can come up to a second later,
     * because the connection first drains the process's output. Meanwhile calls wait instead of
     * failing on the dead connection.
     */
    void onConnectionFailure(PluginConnection failed) {
        synchronized (this) {
            if (failed != connection || failed.isAlive() || !retire(failed)) {
                return;
            }
            diedAwaitingExit = failed;
            state = PluginState.RESTARTING;
        }
        supervisor.memberChanged("the process (pid " + failed.pid() + ") died");
    }

    /** Kills a process that hangs and restarts it. */
    private void onHung(PluginConnection hung, String reason) {
        long hungGeneration;
        synchronized (this) {
            if (!retire(hung)) {
                return;
            }
            hungGeneration = generation;
        }
        log.warn("Plugin '{}' (pid {}, member {}) is hung: {}; killing it", supervisor.name(), hung.pid(), index,
                reason);
        SharedExecutors.workers().execute(() -> {
            try {
                hung.kill();
            } catch (RuntimeException failure) {
                log.warn("Killing plugin '{}' (pid {}) failed", supervisor.name(), hung.pid(), failure);
            }
        });
        PluginException error = new PluginException(supervisor.name(), ErrorCode.HEALTH_CHECK_FAILED,
                "the process (pid " + hung.pid() + ") was killed because it hung: " + reason,
                "see the plugin's stderr", hung.stderrTail(), null);
        supervisor.recordError(error.getMessage());
        scheduleRestart(hungGeneration, error, "hung: " + reason, hung.startedAt());
    }

    /** Takes {@code candidate} out of service if it is still the live connection. Caller holds the lock. */
    private boolean retire(PluginConnection candidate) {
        if (connection != candidate || candidate == null) {
            return false;
        }
        connection = null;
        if (healthTask != null) {
            healthTask.cancel(false);
            healthTask = null;
        }
        return true;
    }

    private void scheduleRestart(long failedGeneration, RuntimeException error, String cause, Instant startedAt) {
        Duration delay;
        int restartNumber;
        synchronized (this) {
            if (failedGeneration != generation || stopped) {
                return;
            }
            if (!restartPolicy.enabled()) {
                failLocked(error, "the plugin " + cause + ", and restarts are disabled");
                return;
            }
            long now = System.nanoTime();
            long windowNanos = restartPolicy.window().toNanos();
            while (!restartTimesNanos.isEmpty() && now - restartTimesNanos.peekFirst() > windowNanos) {
                restartTimesNanos.pollFirst();
            }
            if (restartTimesNanos.size() >= restartPolicy.maxRestarts()) {
                failLocked(error, "the plugin was restarted " + restartTimesNanos.size() + " times within "
                        + restartPolicy.window() + ", its restart budget, and then " + cause);
                return;
            }
            if (startedAt != null && Duration.between(startedAt, Instant.now()).compareTo(MIN_HEALTHY_RUN) >= 0) {
                consecutiveRestarts = 0;
            }
            restartTimesNanos.addLast(now);
            consecutiveRestarts++;
            restartNumber = consecutiveRestarts;
            delay = backoff(consecutiveRestarts);
            state = PluginState.RESTARTING;
            long restartGeneration = generation;
            restartTask = SharedExecutors.scheduler().schedule(() -> launch(restartGeneration, true),
                    delay.toNanos(), TimeUnit.NANOSECONDS);
        }
        supervisor.restartScheduled();
        log.info("Restarting plugin '{}' (member {}) in {} ms (restart {} in a row) because {}", supervisor.name(),
                index, delay.toMillis(), restartNumber, cause);
        supervisor.publish(new PluginEvent.RestartScheduled(supervisor.name(), Instant.now(), restartNumber, delay,
                cause));
        supervisor.memberChanged(cause);
    }

    /** initialBackoff * multiplier^(n-1), capped at maxBackoff, spread by plus or minus jitter. */
    private Duration backoff(int consecutive) {
        double base = restartPolicy.initialBackoff().toNanos()
                * Math.pow(restartPolicy.multiplier(), Math.max(0, consecutive - 1));
        double capped = Math.min(base, restartPolicy.maxBackoff().toNanos());
        double spread = restartPolicy.jitter() * capped;
        double jittered = capped + (spread == 0 ? 0 : ThreadLocalRandom.current().nextDouble(-spread, spread));
        return Duration.ofNanos((long) Math.max(0, jittered));
    }

    private void fail(long failedGeneration, RuntimeException error, String reason) {
        synchronized (this) {
            if (failedGeneration != generation || stopped) {
                return;
            }
            failLocked(error, reason);
        }
    }

    /** Marks the member FAILED. Called with the lock held; the notifications run afterwards. */
    private void failLocked(RuntimeException error, String reason) {
        cancelTasks();
        state = PluginState.FAILED;
        lastFailure = error;
        CompletableFuture<Void> ready = readiness;
        String detail = describe(error, reason);
        SharedExecutors.workers().execute(() -> {
            log.error("Plugin '{}' (member {}) FAILED and will not be restarted until restart() is called: {}",
                    supervisor.name(), index, detail);
            supervisor.recordError(detail);
            supervisor.memberChanged(detail);
            ready.completeExceptionally(error);
        });
    }

    private static String describe(RuntimeException error, String reason) {
        String text = reason;
        if (error instanceof PluginException plugin) {
            if (!reason.contains(plugin.reason())) {
                text += "; last error: " + plugin.reason();
            }
            String tail = plugin.stderrTail();
            if (tail != null && !tail.isBlank() && !text.contains(tail.strip())) {
                text += System.lineSeparator() + "Last lines of the plugin's stderr:" + System.lineSeparator()
                        + tail.stripTrailing();
            }
        } else if (error != null && !reason.contains(String.valueOf(error.getMessage()))) {
            text += "; last error: " + error;
        }
        return text;
    }

    private void cancelTasks() {
        if (healthTask != null) {
            healthTask.cancel(false);
            healthTask = null;
        }
        if (restartTask != null) {
            restartTask.cancel(false);
            restartTask = null;
        }
    }

    // Health monitoring.

    private void scheduleHealthCheck(long checkGeneration) {
        if (!healthPolicy.enabled()) {
            return;
        }
        synchronized (this) {
            if (checkGeneration != generation || stopped || connection == null) {
                return;
            }
            healthTask = SharedExecutors.scheduler().schedule(
                    () -> SharedExecutors.workers().execute(() -> checkHealth(checkGeneration)),
                    healthPolicy.interval().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void checkHealth(long checkGeneration) {
        PluginConnection checked;
        synchronized (this) {
            if (checkGeneration != generation || stopped) {
                return;
            }
            checked = connection;
        }
        if (checked == null) {
            return;
        }

        String failure = null;
        try {
            if (!checked.checkHealth(healthPolicy.timeout())) {
                failure = "the plugin reported NOT_SERVING";
            }
        } catch (RuntimeException error) {
            failure = error.getMessage() != null ? error.getMessage() : error.toString();
        }

        if (failure == null) {
            boolean recovered;
            synchronized (this) {
                consecutiveHealthFailures = 0;
                recovered = state == PluginState.UNHEALTHY && connection == checked;
                if (recovered) {
                    state = PluginState.READY;
                }
            }
            if (recovered) {
                log.info("Plugin '{}' (pid {}, member {}) is healthy again", supervisor.name(), checked.pid(), index);
                supervisor.memberChanged("health check passed");
            }
            scheduleHealthCheck(checkGeneration);
            return;
        }

        int failures;
        synchronized (this) {
            if (connection != checked) {
                return;
            }
            failures = ++consecutiveHealthFailures;
            state = PluginState.UNHEALTHY;
        }
        if (supervisor.admitLog("health-" + index)) {
            log.warn("Health check of plugin '{}' (pid {}, member {}) failed ({} of {}): {}", supervisor.name(),
                    checked.pid(), index, failures, healthPolicy.failureThreshold(), failure);
        }
        supervisor.publish(new PluginEvent.HealthCheckFailed(supervisor.name(), Instant.now(), checked.pid(), failures,
                failure));
        if (failures >= healthPolicy.failureThreshold()) {
            onHung(checked, failures + " consecutive health checks failed, the last one with: " + failure);
            return;
        }
        supervisor.memberChanged("health check failed: " + failure);
        scheduleHealthCheck(checkGeneration);
    }

    /** Counts a call that ended with DEADLINE_EXCEEDED on {@code target}; restarts it past the threshold. */
    void onDeadlineExceeded(PluginConnection target) {
        int threshold = healthPolicy.deadlineExceededThreshold();
        if (threshold <= 0 || target != connection) {
            return;
        }
        int count = consecutiveDeadlineExceeded.incrementAndGet();
        if (count >= threshold) {
            consecutiveDeadlineExceeded.set(0);
            onHung(target, count + " consecutive calls ended with DEADLINE_EXCEEDED although health checks pass");
        }
    }

    /** Records that the plugin responded to a call, which resets the DEADLINE_EXCEEDED count. */
    void onCallAnswered(PluginConnection target) {
        if (target == connection) {
            consecutiveDeadlineExceeded.set(0);
        }
    }

    private void stopQuietlyAsync(PluginConnection target) {
        SharedExecutors.workers().execute(() -> stopQuietly(target));
    }

    private void stopQuietly(PluginConnection target) {
        try {
            target.stop();
        } catch (RuntimeException failure) {
            log.warn("Stopping plugin '{}' (pid {}) failed", supervisor.name(), target.pid(), failure);
        }
    }
}
