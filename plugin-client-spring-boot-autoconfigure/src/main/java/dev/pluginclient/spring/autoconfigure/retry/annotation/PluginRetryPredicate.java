package dev.pluginclient.spring.autoconfigure.retry.annotation;

import dev.pluginclient.PluginException;
import java.lang.reflect.Method;
import org.springframework.resilience.retry.MethodRetryPredicate;

/**
 * Selects only transient plugin failures for Spring Framework's own {@code @Retryable}: gRPC
 * UNAVAILABLE and RESOURCE_EXHAUSTED, transport faults and a plugin that is restarting or exited.
 * Application errors, configuration and handshake faults, an open circuit and a FAILED plugin are
 * not retried.
 *
 * <pre>{@code
 * @Retryable(predicate = PluginRetryPredicate.class, maxRetries = 3, delay = 100)
 * public long add(long a, long b) { ... }
 * }</pre>
 */
public class PluginRetryPredicate implements MethodRetryPredicate {

    @Override
    public boolean shouldRetry(Method method, Throwable failure) {
        return PluginException.isTransient(failure);
    }
}
