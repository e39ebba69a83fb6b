package dev.pluginclient.resilience;

import io.github.resilience4j.retry.Retry;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A unary call that is tried again after a transient failure, with the backoff of a resilience4j
 * {@link Retry}. The request message is kept so that every attempt can send it again, and the
 * response is passed on only when an attempt succeeds or the call gives up.
 *
 * <p>An attempt is retried when its status is transient (see {@link CallOutcomes#isTransient(Status)})
 * and either it never reached a live plugin connection or its method is idempotent. No retry is
 * scheduled whose delay would end after the call's deadline, and nothing blocks: the next attempt
 * is started by the shared scheduler.
 *
 * <p>NOTE: only unary calls are retried. A streaming call cannot be replayed without keeping every
 * message it sent, so streaming calls go to the plugin once and their failures reach the caller.
 */
public final class RetryingClientCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {

    private final Channel attemptChannel;
    private final MethodDescriptor<ReqT, RespT> method;
    private final CallOptions callOptions;
    private final RetryPolicy policy;
    private final Retry.AsyncContext<Object> retryContext;
    private final ScheduledExecutorService scheduler;
    private final Executor callbackExecutor;
    private final RetryObserver observer;

    private final Object lock = new Object();
    private Listener<RespT> listener;
    private Metadata headers;
    private Context context;
    private final List<ReqT> messages = new ArrayList<>();
    private int requested;
    private boolean compressMessages;
    private boolean cancelled;
    private boolean closed;
    private ClientCall<ReqT, RespT> currentAttempt;
    private ScheduledFuture<?> pendingRetry;
    private int attemptNumber;

    /**
     * Creates the call.
     *
     * @param attemptChannel the channel each attempt is made on; it finds an {@link AttemptTracker}
     *        under {@link AttemptTracker#KEY}
     * @param callOptions the options of every attempt, deadline included
     * @param retry the plugin's retry, configured from {@code policy}
     * @param scheduler runs the next attempt after its backoff
     * @param callbackExecutor runs the listener when the call ends without an attempt in flight
     */
    public RetryingClientCall(Channel attemptChannel, MethodDescriptor<ReqT, RespT> method, CallOptions callOptions,
            RetryPolicy policy, Retry retry, ScheduledExecutorService scheduler, Executor callbackExecutor,
            RetryObserver observer) {
        this.attemptChannel = Objects.requireNonNull(attemptChannel, "attemptChannel");
        this.method = Objects.requireNonNull(method, "method");
        this.callOptions = Objects.requireNonNull(callOptions, "callOptions");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.retryContext = retry.asyncContext();
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.callbackExecutor = Objects.requireNonNull(callbackExecutor, "callbackExecutor");
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    @Override
    public void start(Listener<RespT> responseListener, Metadata requestHeaders) {
        synchronized (lock) {
            if (listener != null) {
                throw new IllegalStateException("the call was already started");
            }
            this.listener = Objects.requireNonNull(responseListener, "responseListener");
            this.headers = Objects.requireNonNull(requestHeaders, "requestHeaders");
            // Retries start on the scheduler's thread: they must still see the caller's deadline and cancellation.
            this.context = Context.current();
        }
    }

    @Override
    public void request(int numMessages) {
        ClientCall<ReqT, RespT> attempt;
        synchronized (lock) {
            requested += numMessages;
            attempt = currentAttempt;
        }
        if (attempt != null) {
            attempt.request(numMessages);
        }
    }

    @Override
    public void sendMessage(ReqT message) {
        synchronized (lock) {
            messages.add(message);
        }
    }

    @Override
    public void setMessageCompression(boolean enabled) {
        synchronized (lock) {
            compressMessages = enabled;
        }
    }

    /** Starts the first attempt: a unary request is complete once the caller half-closes. */
    @Override
    public void halfClose() {
        startAttempt();
    }

    @Override
    public void cancel(String message, Throwable cause) {
        ClientCall<ReqT, RespT> attempt;
        ScheduledFuture<?> retry;
        synchronized (lock) {
            if (closed || cancelled) {
                return;
            }
            cancelled = true;
            attempt = currentAttempt;
            retry = pendingRetry;
        }
        if (retry != null) {
            retry.cancel(false);
        }
        if (attempt != null) {
            // The attempt's onClose passes the CANCELLED status on.
            attempt.cancel(message, cause);
            return;
        }
        Status status = Status.CANCELLED.withDescription(message).withCause(cause);
        callbackExecutor.execute(() -> close(null, null, status, new Metadata()));
    }

    @Override
    public boolean isReady() {
        ClientCall<ReqT, RespT> attempt;
        synchronized (lock) {
            attempt = currentAttempt;
        }
        return attempt != null && attempt.isReady();
    }

    private void startAttempt() {
        ClientCall<ReqT, RespT> attempt;
        AttemptListener attemptListener;
        int messagesRequested;
        List<ReqT> requestMessages;
        boolean compress;
        Metadata attemptHeaders = new Metadata();
        synchronized (lock) {
            if (cancelled || closed || listener == null) {
                return;
            }
            attemptNumber++;
            AttemptTracker tracker = new AttemptTracker();
            attempt = attemptChannel.newCall(method, callOptions.withOption(AttemptTracker.KEY, tracker));
            attemptListener = new AttemptListener(tracker);
            currentAttempt = attempt;
            pendingRetry = null;
            messagesRequested = requested;
            requestMessages = List.copyOf(messages);
            compress = compressMessages;
            attemptHeaders.merge(headers);
        }

        attempt.start(attemptListener, attemptHeaders);
        if (messagesRequested > 0) {
            attempt.request(messagesRequested);
        }
        if (compress) {
            attempt.setMessageCompression(true);
        }
        for (ReqT message : requestMessages) {
            attempt.sendMessage(message);
        }
        attempt.halfClose();
    }

    /** Decides, once an attempt failed, whether to retry it and after which delay; -1 means give up. */
    private long retryDelayMillis(Status status, Metadata trailers, AttemptTracker tracker) {
        if (!policy.enabled() || !CallOutcomes.isTransient(status)) {
            return -1;
        }
        boolean mayHaveReachedPlugin = tracker.sent() && !CallOutcomes.isConnectionRefused(status);
        if (mayHaveReachedPlugin && !policy.isIdempotent(method.getFullMethodName())) {
            return -1;
        }
        long delay = retryContext.onError(status.asRuntimeException(trailers));
        if (delay < 0) {
            return -1;
        }
        if (tracker.pluginGone()) {
            // The retry waits in the delayed call until the restarted process is READY, which is backoff enough.
            delay = 0;
        }
        Deadline deadline = callOptions.getDeadline();
        if (deadline != null && deadline.timeRemaining(TimeUnit.MILLISECONDS) <= delay) {
            return -1;
        }
        return delay;
    }

    private void close(Metadata responseHeaders, RespT response, Status status, Metadata trailers) {
        Listener<RespT> target;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            currentAttempt = null;
            target = listener;
        }
        if (responseHeaders != null) {
            target.onHeaders(responseHeaders);
        }
        if (response != null) {
            target.onMessage(response);
        }
        target.onClose(status, trailers);
    }

    /** Keeps an attempt's response until the attempt ends, then passes it on or retries. */
    private final class AttemptListener extends Listener<RespT> {

        private final AttemptTracker tracker;
        private Metadata responseHeaders;
        private RespT response;

        AttemptListener(AttemptTracker tracker) {
            this.tracker = tracker;
        }

        @Override
        public void onHeaders(Metadata received) {
            this.responseHeaders = received;
        }

        @Override
        public void onMessage(RespT message) {
            this.response = message;
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            if (status.isOk()) {
                retryContext.onComplete();
                close(responseHeaders, response, status, trailers);
                return;
            }

            boolean wasCancelled;
            synchronized (lock) {
                wasCancelled = cancelled;
            }
            long delay = wasCancelled ? -1 : retryDelayMillis(status, trailers, tracker);
            if (delay < 0) {
                close(responseHeaders, null, status, trailers);
                return;
            }

            int nextAttempt;
            synchronized (lock) {
                if (cancelled || closed) {
                    nextAttempt = -1;
                } else {
                    currentAttempt = null;
                    nextAttempt = attemptNumber + 1;
                    pendingRetry = scheduler.schedule(() -> context.run(RetryingClientCall.this::startAttempt),
                            delay, TimeUnit.MILLISECONDS);
                }
            }
            if (nextAttempt < 0) {
                close(null, null, Status.CANCELLED.withDescription("the call was cancelled before its retry"),
                        new Metadata());
                return;
            }
            observer.onRetryScheduled(method.getFullMethodName(), nextAttempt, Duration.ofMillis(delay), status);
        }
    }
}
