package dev.pluginclient.supervision;

import dev.pluginclient.resilience.AttemptTracker;
import dev.pluginclient.resilience.CallOutcomes;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One attempt of a call on the stable channel. It waits until a pool member is ready, buffering
 * {@code request}, {@code sendMessage}, {@code halfClose} and {@code cancel}, then makes the real
 * call on that member's connection and replays them in order.
 *
 * <p>It fails without waiting when the plugin is FAILED or STOPPED or the circuit is open, and with
 * DEADLINE_EXCEEDED when the deadline passes before a member is ready. Listener callbacks of such a
 * failure run on the call's executor, as gRPC's own callbacks do, because a blocking stub drains
 * only that executor.
 */
final class DelayedClientCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {

    private final PluginSupervisor supervisor;
    private final MethodDescriptor<ReqT, RespT> method;
    private final CallOptions callOptions;
    private final Executor callbackExecutor;
    private final AttemptTracker tracker;
    private final Runnable waiter = this::dispatchOrWait;

    private final Object lock = new Object();
    // Guarded by lock.
    private Listener<RespT> listener;
    private Metadata headers;
    private Context context;
    private long startNanos;
    private boolean decided;
    private boolean failed;
    private boolean passThrough;
    private List<Runnable> pending = new ArrayList<>();
    private ScheduledFuture<?> deadlineTimer;

    private volatile ClientCall<ReqT, RespT> delegate;
    private volatile boolean permitHeld;

    DelayedClientCall(PluginSupervisor supervisor, MethodDescriptor<ReqT, RespT> method, CallOptions callOptions,
            Executor callbackExecutor) {
        this.supervisor = supervisor;
        this.method = method;
        this.callOptions = callOptions;
        this.callbackExecutor = callbackExecutor;
        this.tracker = callOptions.getOption(AttemptTracker.KEY);
    }

    @Override
    public void start(Listener<RespT> responseListener, Metadata requestHeaders) {
        synchronized (lock) {
            if (listener != null) {
                throw new IllegalStateException("the call was already started");
            }
            listener = responseListener;
            headers = requestHeaders;
            context = Context.current();
            startNanos = System.nanoTime();
        }

        Status unavailable = supervisor.unavailableStatus();
        if (unavailable != null) {
            failEarly(unavailable, false);
            return;
        }
        if (!supervisor.tryAcquireCircuitPermission()) {
            failEarly(supervisor.circuitOpenStatus(), false);
            return;
        }
        permitHeld = supervisor.circuitBreaker().isPresent();

        Deadline deadline = effectiveDeadline();
        if (deadline != null && deadline.isExpired()) {
            failEarly(Status.DEADLINE_EXCEEDED.withDescription("the deadline had passed before the call started"),
                    true);
            return;
        }

        dispatchOrWait();

        if (deadline != null) {
            synchronized (lock) {
                if (!decided) {
                    deadlineTimer = SharedExecutors.scheduler().schedule(this::onWaitDeadline,
                            deadline.timeRemaining(TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS);
                }
            }
        }
    }

    // NOTE: a call waiting for a member ends at its deadline or on cancel(). Cancelling the caller's
    // io.grpc.Context without a deadline does not end the wait.
    private Deadline effectiveDeadline() {
        Deadline deadline = callOptions.getDeadline();
        Deadline contextDeadline = context.getDeadline();
        if (contextDeadline != null && (deadline == null || contextDeadline.isBefore(deadline))) {
            return contextDeadline;
        }
        return deadline;
    }

    /** Sends the call to a ready member, or registers to be woken when one becomes ready. */
    private void dispatchOrWait() {
        while (true) {
            synchronized (lock) {
                if (decided) {
                    return;
                }
            }
            Status unavailable = supervisor.unavailableStatus();
            if (unavailable != null) {
                failEarly(unavailable, false);
                return;
            }
            PluginSupervisor.Route route = supervisor.pickRoute();
            if (route != null) {
                dispatch(route);
                return;
            }
            supervisor.addWaiter(waiter);
            // A member that became ready between pickRoute and addWaiter did not wake this call, so check again.
            if (supervisor.pickRoute() == null && supervisor.unavailableStatus() == null) {
                return;
            }
            supervisor.removeWaiter(waiter);
        }
    }

    private void dispatch(PluginSupervisor.Route route) {
        Listener<RespT> target;
        Metadata requestHeaders;
        Context callContext;
        long started;
        synchronized (lock) {
            if (decided) {
                return;
            }
            decided = true;
            cancelDeadlineTimer();
            target = listener;
            requestHeaders = headers;
            callContext = context;
            started = startNanos;
        }
        supervisor.removeWaiter(waiter);

        route.member().callStarted();
        if (tracker != null) {
            tracker.markSent();
        }
        ClientCall<ReqT, RespT> call = route.connection().channel().newCall(method, callOptions);
        Listener<RespT> recording = new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(target) {
            @Override
            public void onClose(Status status, Metadata trailers) {
                Status normalized = CallOutcomes.normalizeTransportFailure(status);
                supervisor.attemptEnded(route, method, normalized, System.nanoTime() - started, permitHeld);
                if (tracker != null && normalized.getCode() == Status.Code.UNAVAILABLE
                        && PluginSupervisor.processDied(route)) {
                    tracker.markPluginGone();
                }
                super.onClose(normalized, trailers);
            }
        };
        Context previous = callContext.attach();
        try {
            call.start(recording, requestHeaders);
        } finally {
            callContext.detach(previous);
        }
        delegate = call;
        drainPending();
    }

    private void drainPending() {
        while (true) {
            List<Runnable> batch;
            synchronized (lock) {
                if (pending.isEmpty()) {
                    passThrough = true;
                    return;
                }
                batch = pending;
                pending = new ArrayList<>();
            }
            for (Runnable operation : batch) {
                operation.run();
            }
        }
    }

    private void onWaitDeadline() {
        String state = supervisor.state().name();
        failEarly(Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded while waiting for plugin '"
                + supervisor.name() + "' to become ready (state " + state + ")")
                .withCause(supervisor.restartingException(state)), true);
    }

    /**
     * Ends the call before it reached a member. Returns false when the call was already dispatched.
     *
     * @param countAsAttempt whether the failure is published as a {@code CallCompleted} event,
     *        because the call waited for the plugin
     */
    private boolean failEarly(Status status, boolean countAsAttempt) {
        Listener<RespT> target;
        long duration;
        synchronized (lock) {
            if (decided) {
                return false;
            }
            decided = true;
            failed = true;
            pending.clear();
            cancelDeadlineTimer();
            target = listener;
            duration = System.nanoTime() - startNanos;
        }
        supervisor.removeWaiter(waiter);
        supervisor.attemptFailedEarly(method, status, duration, permitHeld, countAsAttempt);
        callbackExecutor.execute(() -> target.onClose(status, new Metadata()));
        return true;
    }

    private void cancelDeadlineTimer() {
        if (deadlineTimer != null) {
            deadlineTimer.cancel(false);
            deadlineTimer = null;
        }
    }

    /** Runs {@code operation} on the delegate now, or queues it until the delegate exists. */
    private void runOrQueue(Runnable operation) {
        synchronized (lock) {
            if (failed) {
                return;
            }
            if (!passThrough) {
                pending.add(operation);
                return;
            }
        }
        operation.run();
    }

    @Override
    public void request(int numMessages) {
        runOrQueue(() -> delegate.request(numMessages));
    }

    @Override
    public void sendMessage(ReqT message) {
        runOrQueue(() -> delegate.sendMessage(message));
    }

    @Override
    public void halfClose() {
        runOrQueue(() -> delegate.halfClose());
    }

    @Override
    public void setMessageCompression(boolean enabled) {
        runOrQueue(() -> delegate.setMessageCompression(enabled));
    }

    @Override
    public void cancel(String message, Throwable cause) {
        boolean waiting;
        synchronized (lock) {
            waiting = !decided && listener != null;
        }
        if (waiting && failEarly(Status.CANCELLED.withDescription(message).withCause(cause), false)) {
            return;
        }
        runOrQueue(() -> delegate.cancel(message, cause));
    }

    @Override
    public boolean isReady() {
        synchronized (lock) {
            if (!passThrough) {
                return false;
            }
        }
        return delegate.isReady();
    }
}
