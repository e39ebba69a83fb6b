package dev.pluginclient.resilience;

import io.grpc.Status;
import java.time.Duration;

/** Told about every retry a {@link RetryingClientCall} schedules, for logs and events. */
@FunctionalInterface
public interface RetryObserver {

    /**
     * Called once per scheduled retry.
     *
     * @param fullMethodName the method, as {@code package.Service/Method}
     * @param attempt the number of the attempt that will run after the delay, from 2
     * @param delay the wait before that attempt
     * @param cause the status the previous attempt failed with
     */
    void onRetryScheduled(String fullMethodName, int attempt, Duration delay, Status cause);
}
