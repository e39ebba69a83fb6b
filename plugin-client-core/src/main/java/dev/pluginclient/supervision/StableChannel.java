package dev.pluginclient.supervision;

import dev.pluginclient.resilience.RetryPolicy;
import dev.pluginclient.resilience.RetryingClientCall;
import io.github.resilience4j.retry.Retry;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The one channel of a managed plugin. It outlives every process: each call is routed to a live
 * pool member when it starts, so stubs built once keep working across restarts.
 *
 * <p>A call without a deadline gets the client's default call timeout. Unary calls are retried
 * according to the retry policy; streaming calls are made once (see {@link RetryingClientCall}).
 */
final class StableChannel extends Channel {

    private final PluginSupervisor supervisor;
    private final long callTimeoutNanos;
    private final RetryPolicy retryPolicy;
    private final Retry retry;
    private final Channel attemptChannel = new AttemptChannel();

    StableChannel(PluginSupervisor supervisor, Duration callTimeout, RetryPolicy retryPolicy, Retry retry) {
        this.supervisor = supervisor;
        this.callTimeoutNanos = callTimeout.toNanos();
        this.retryPolicy = retryPolicy;
        this.retry = retry;
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(MethodDescriptor<ReqT, RespT> method,
            CallOptions callOptions) {
        CallOptions options = callOptions.getDeadline() == null
                ? callOptions.withDeadlineAfter(callTimeoutNanos, TimeUnit.NANOSECONDS)
                : callOptions;
        if (method.getType() == MethodDescriptor.MethodType.UNARY && retryPolicy.enabled()
                && retryPolicy.maxAttempts() > 1) {
            return new RetryingClientCall<>(attemptChannel, method, options, retryPolicy, retry,
                    SharedExecutors.scheduler(), callbackExecutor(options), supervisor::retryScheduled);
        }
        return attemptChannel.newCall(method, options);
    }

    @Override
    public String authority() {
        return supervisor.name();
    }

    private static Executor callbackExecutor(CallOptions options) {
        return options.getExecutor() != null ? options.getExecutor() : SharedExecutors.workers();
    }

    /** Makes single attempts: each one waits for a ready member and then goes to its connection. */
    private final class AttemptChannel extends Channel {

        @Override
        public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(MethodDescriptor<ReqT, RespT> method,
                CallOptions callOptions) {
            return new DelayedClientCall<>(supervisor, method, callOptions, callbackExecutor(callOptions));
        }

        @Override
        public String authority() {
            return supervisor.name();
        }
    }
}
