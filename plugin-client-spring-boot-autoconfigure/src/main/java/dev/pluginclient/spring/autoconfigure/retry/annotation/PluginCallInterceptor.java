package dev.pluginclient.spring.autoconfigure.retry.annotation;

import dev.pluginclient.ErrorCode;
import dev.pluginclient.PluginClient;
import dev.pluginclient.PluginException;
import dev.pluginclient.PluginUnavailableException;
import dev.pluginclient.resilience.CircuitBreakerPolicy;
import dev.pluginclient.resilience.RetryPolicy;
import dev.pluginclient.spring.autoconfigure.PluginClients;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.core.functions.CheckedSupplier;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.grpc.Status;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.support.AopUtils;

/**
 * Runs {@link PluginCall} methods through the plugin's retry and circuit-breaker settings and calls
 * the fallback method when the plugin is unavailable.
 *
 * <p>Each plugin gets one resilience4j {@link Retry} and one {@link CircuitBreaker} for its annotated
 * methods, built from the same {@link RetryPolicy} and {@link CircuitBreakerPolicy} as the plugin's
 * channel. The breaker counts whole method runs, separately from the channel's per-call breaker.
 */
public class PluginCallInterceptor implements MethodInterceptor {

    private static final Logger logger = LoggerFactory.getLogger(PluginCallInterceptor.class);

    /** Largest randomization factor resilience4j 2.4 accepts (it must be below 1), used for a jitter of 1.0. */
    private static final double MAX_RANDOMIZATION_FACTOR = 0.999;

    private final Supplier<PluginClients> clients;
    private final Map<String, Policies> policies = new ConcurrentHashMap<>();
    private final Map<Method, Method> fallbacks = new ConcurrentHashMap<>();

    public PluginCallInterceptor(Supplier<PluginClients> clients) {
        this.clients = clients;
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        Class<?> targetClass = invocation.getThis() == null ? invocation.getMethod().getDeclaringClass()
                : AopUtils.getTargetClass(invocation.getThis());
        PluginCall annotation = PluginCallMethods.find(invocation.getMethod(), targetClass);
        if (annotation == null) {
            return invocation.proceed();
        }

        String plugin = annotation.plugin();
        try {
            return runWithPolicies(invocation, plugin, annotation);
        } catch (Throwable failure) {
            if (annotation.fallbackMethod().isEmpty() || !PluginClient.isUnavailable(failure)) {
                throw failure;
            }
            Method fallback = fallbacks.computeIfAbsent(invocation.getMethod(),
                    method -> PluginCallMethods.fallback(method, targetClass, annotation.fallbackMethod()));
            logger.debug("Plugin '{}' is unavailable; {} returns the result of {}: {}", plugin,
                    invocation.getMethod().getName(), fallback.getName(), failure.toString());
            return invokeFallback(fallback, invocation, failure);
        }
    }

    private Object runWithPolicies(MethodInvocation invocation, String plugin, PluginCall annotation)
            throws Throwable {
        PluginClients registry = clients.get();
        Policies pluginPolicies = policies.computeIfAbsent(plugin, name -> Policies.of(registry.managed(name)));

        // A lazy plugin starts on the first call through its channel, inside the attempt.
        CheckedSupplier<Object> attempt = () -> {
            if (invocation instanceof ProxyMethodInvocation proxyInvocation) {
                // A fresh copy per attempt, because a MethodInvocation can proceed only once.
                return proxyInvocation.invocableClone().proceed();
            }
            return invocation.proceed();
        };
        if (annotation.circuitBreaker() && pluginPolicies.circuitBreaker() != null) {
            CheckedSupplier<Object> guarded = CircuitBreaker.decorateCheckedSupplier(
                    pluginPolicies.circuitBreaker(), attempt);
            attempt = () -> {
                try {
                    return guarded.get();
                } catch (CallNotPermittedException open) {
                    throw circuitOpen(plugin, pluginPolicies, open);
                }
            };
        }
        if (annotation.retry() && pluginPolicies.retry() != null) {
            return pluginPolicies.retry().executeCheckedSupplier(attempt);
        }
        return attempt.get();
    }

    private static PluginUnavailableException circuitOpen(String plugin, Policies policies,
            CallNotPermittedException open) {
        Instant retryAfter = Instant.now().plus(policies.waitInOpen());
        return new PluginUnavailableException(plugin, ErrorCode.CIRCUIT_OPEN,
                "the circuit breaker of its @PluginCall methods is open",
                "calls are tried again after circuit-breaker.wait-in-open (" + policies.waitInOpen() + ")",
                retryAfter, open);
    }

    private static Object invokeFallback(Method fallback, MethodInvocation invocation, Throwable failure)
            throws Throwable {
        Object[] arguments = invocation.getArguments();
        if (fallback.getParameterCount() > arguments.length) {
            arguments = Arrays.copyOf(arguments, arguments.length + 1);
            arguments[arguments.length - 1] = fallback.getParameterTypes()[arguments.length - 1].isInstance(failure)
                    ? failure : null;
        }
        try {
            return fallback.invoke(invocation.getThis(), arguments);
        } catch (InvocationTargetException thrown) {
            throw thrown.getTargetException();
        }
    }

    /** Tells whether a failure counts against the method-level circuit breaker. */
    static boolean isFailure(Throwable failure) {
        return PluginClient.isUnavailable(failure)
                || Status.fromThrowable(failure).getCode() == Status.Code.DEADLINE_EXCEEDED;
    }

    /** The resilience4j objects of one plugin. A disabled policy is {@code null}. */
    record Policies(Retry retry, CircuitBreaker circuitBreaker, java.time.Duration waitInOpen) {

        static Policies of(PluginClients.ManagedPlugin plugin) {
            return new Policies(retry(plugin.name(), plugin.retryPolicy()),
                    circuitBreaker(plugin.name(), plugin.circuitBreakerPolicy()),
                    plugin.circuitBreakerPolicy().waitInOpen());
        }

        private static Retry retry(String name, RetryPolicy policy) {
            if (!policy.enabled() || policy.maxAttempts() <= 1) {
                return null;
            }
            double randomization = Math.min(policy.jitter(), MAX_RANDOMIZATION_FACTOR);
            RetryConfig config = RetryConfig.custom()
                    .maxAttempts(policy.maxAttempts())
                    .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(policy.initialDelay(),
                            policy.multiplier(), randomization, policy.maxDelay()))
                    .retryOnException(PluginException::isTransient)
                    .failAfterMaxAttempts(false)
                    .build();
            Retry retry = Retry.of(name + "-plugin-call", config);
            retry.getEventPublisher().onRetry(event -> logger.info(
                    "Retrying a @PluginCall method of plugin '{}' (attempt {}) in {} ms after: {}", name,
                    event.getNumberOfRetryAttempts() + 1, event.getWaitInterval().toMillis(),
                    String.valueOf(event.getLastThrowable())));
            return retry;
        }

        private static CircuitBreaker circuitBreaker(String name, CircuitBreakerPolicy policy) {
            if (!policy.enabled()) {
                return null;
            }
            CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                    .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                    .slidingWindowSize(policy.slidingWindowSize())
                    .minimumNumberOfCalls(policy.minimumNumberOfCalls())
                    .failureRateThreshold(policy.failureRateThreshold())
                    .slowCallRateThreshold(policy.slowCallRateThreshold())
                    .slowCallDurationThreshold(policy.slowCallDuration())
                    .waitDurationInOpenState(policy.waitInOpen())
                    .permittedNumberOfCallsInHalfOpenState(policy.permittedCallsInHalfOpen())
                    .recordException(PluginCallInterceptor::isFailure)
                    .build();
            CircuitBreaker breaker = CircuitBreaker.of(name + "-plugin-call", config);
            breaker.getEventPublisher().onStateTransition(event -> logger.warn(
                    "Circuit breaker of the @PluginCall methods of plugin '{}' changed: {}", name,
                    event.getStateTransition()));
            return breaker;
        }
    }
}
