package dev.pluginclient.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pluginclient.ErrorCode;
import dev.pluginclient.PluginTransportException;
import dev.pluginclient.PluginUnavailableException;
import dev.pluginclient.spring.autoconfigure.retry.annotation.PluginCall;
import dev.pluginclient.spring.autoconfigure.retry.annotation.PluginRetryPredicate;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.resilience.annotation.EnableResilientMethods;
import org.springframework.resilience.annotation.Retryable;

/**
 * {@code @PluginCall} retries, circuit breaker and fallback, and the {@link PluginRetryPredicate}
 * with Spring Framework's {@code @Retryable}. The failures are thrown by the methods themselves, so
 * no plugin process is needed.
 */
class PluginCallTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PluginClientAutoConfiguration.class))
            .withPropertyValues(PluginClientAutoConfigurationTests.CALCULATOR)
            .withPropertyValues("plugin-client.plugins.calculator.retry.max-attempts=3",
                    "plugin-client.plugins.calculator.retry.initial-delay=1ms",
                    "plugin-client.plugins.calculator.retry.max-delay=5ms",
                    "plugin-client.plugins.calculator.circuit-breaker.sliding-window-size=4",
                    "plugin-client.plugins.calculator.circuit-breaker.minimum-number-of-calls=4",
                    "plugin-client.plugins.calculator.circuit-breaker.wait-in-open=1m");

    @Test
    void transientFailureRetriedThenSucceeds() {
        runner.withUserConfiguration(Beans.class).run(context -> {
            Calls calls = context.getBean(Calls.class);
            calls.failuresBeforeSuccess().set(2);
            assertThat(calls.add(2, 3)).isEqualTo(5);
            assertThat(calls.attempts().get()).isEqualTo(3);
            assertThat(calls.fallbacks().get()).isZero();
        });
    }

    @Test
    void fallbackAfterRetriesUsedUp() {
        runner.withUserConfiguration(Beans.class).run(context -> {
            Calls calls = context.getBean(Calls.class);
            calls.failuresBeforeSuccess().set(100);
            assertThat(calls.add(2, 3)).isEqualTo(-5);
            assertThat(calls.attempts().get()).isEqualTo(3);
            assertThat(calls.lastFailure()).isInstanceOf(StatusRuntimeException.class);
        });
    }

    @Test
    void applicationErrorReachesCaller() {
        runner.withUserConfiguration(Beans.class).run(context -> {
            Calls calls = context.getBean(Calls.class);
            assertThatThrownBy(() -> calls.divide(1, 0)).isInstanceOf(StatusRuntimeException.class)
                    .hasMessageContaining("INVALID_ARGUMENT");
            assertThat(calls.attempts().get()).isEqualTo(1);
            assertThat(calls.fallbacks().get()).isZero();
        });
    }

    @Test
    void openCircuitGoesToFallbackWithoutCall() {
        runner.withUserConfiguration(Beans.class).run(context -> {
            Calls calls = context.getBean(Calls.class);
            calls.failuresBeforeSuccess().set(1000);
            // Each run makes 3 failed attempts; after 4 recorded failures the circuit opens.
            calls.add(1, 1);
            calls.add(1, 1);
            int attemptsBefore = calls.attempts().get();
            assertThat(calls.add(1, 1)).isEqualTo(-2);
            assertThat(calls.attempts().get()).isEqualTo(attemptsBefore);
            assertThat(calls.lastFailure()).isInstanceOf(PluginUnavailableException.class);
            assertThat(((PluginUnavailableException) calls.lastFailure()).code()).isEqualTo(ErrorCode.CIRCUIT_OPEN);
        });
    }

    @Test
    void fallbackWithoutThrowableParameter() {
        runner.withUserConfiguration(Beans.class).run(context -> {
            Calls calls = context.getBean(Calls.class);
            assertThat(calls.name()).isEqualTo("offline");
        });
    }

    @Test
    void unknownPluginFailsStart() {
        runner.withUserConfiguration(UnknownPluginBeans.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("names plugin 'missing', which is not configured");
        });
    }

    @Test
    void missingFallbackFailsStart() {
        runner.withUserConfiguration(MissingFallbackBeans.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("The fallback method 'nowhere'")
                    .hasMessageContaining("nowhere(long, Throwable failure)");
        });
    }

    @Test
    void retryablePredicateSelectsTransientFailures() {
        runner.withUserConfiguration(RetryableBeans.class).run(context -> {
            assertThat(context).hasNotFailed();
            RetryableCalls calls = context.getBean(RetryableCalls.class);
            assertThat(calls.transientThenOk()).isEqualTo("ok");
            assertThat(calls.transientAttempts().get()).isEqualTo(3);

            assertThatThrownBy(calls::invalidArgument).isInstanceOf(StatusRuntimeException.class);
            assertThat(calls.invalidAttempts().get()).isEqualTo(1);
        });
        assertThat(new PluginRetryPredicate().shouldRetry(null, Status.UNAVAILABLE.asRuntimeException())).isTrue();
        assertThat(new PluginRetryPredicate().shouldRetry(null,
                new PluginUnavailableException("p", ErrorCode.CIRCUIT_OPEN, "open", null, null, null))).isFalse();
    }

    static class Calls {

        final AtomicInteger attempts = new AtomicInteger();
        final AtomicInteger failuresBeforeSuccess = new AtomicInteger();
        final AtomicInteger fallbacks = new AtomicInteger();
        volatile Throwable lastFailure;

        // The bean is a CGLIB proxy whose own fields are unset, so tests read state through methods.
        public AtomicInteger attempts() {
            return attempts;
        }

        public AtomicInteger failuresBeforeSuccess() {
            return failuresBeforeSuccess;
        }

        public AtomicInteger fallbacks() {
            return fallbacks;
        }

        public Throwable lastFailure() {
            return lastFailure;
        }

        @PluginCall(plugin = "calculator", fallbackMethod = "addOffline")
        public long add(long a, long b) {
            attempts.incrementAndGet();
            if (failuresBeforeSuccess.getAndDecrement() > 0) {
                throw Status.UNAVAILABLE.withDescription("plugin restarting").asRuntimeException();
            }
            return a + b;
        }

        long addOffline(long a, long b, Throwable failure) {
            fallbacks.incrementAndGet();
            lastFailure = failure;
            return -(a + b);
        }

        @PluginCall(value = "calculator", fallbackMethod = "addOffline")
        public long divide(long a, long b) {
            attempts.incrementAndGet();
            throw Status.INVALID_ARGUMENT.withDescription("division by zero").asRuntimeException();
        }

        @PluginCall(plugin = "calculator", fallbackMethod = "nameOffline", retry = false)
        public String name() {
            throw new PluginTransportException("calculator", ErrorCode.CONNECT_FAILED, "connection refused", null,
                    null, null);
        }

        String nameOffline() {
            return "offline";
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Import(Calls.class)
    static class Beans {
    }

    static class UnknownPlugin {

        @PluginCall(plugin = "missing")
        public void call() {
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Import(UnknownPlugin.class)
    static class UnknownPluginBeans {
    }

    static class MissingFallback {

        @PluginCall(plugin = "calculator", fallbackMethod = "nowhere")
        public String call(long value) {
            return "";
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Import(MissingFallback.class)
    static class MissingFallbackBeans {
    }

    static class RetryableCalls {

        final AtomicInteger transientAttempts = new AtomicInteger();
        final AtomicInteger invalidAttempts = new AtomicInteger();

        public AtomicInteger transientAttempts() {
            return transientAttempts;
        }

        public AtomicInteger invalidAttempts() {
            return invalidAttempts;
        }

        @Retryable(predicate = PluginRetryPredicate.class, maxRetries = 3, delay = 1)
        public String transientThenOk() {
            if (transientAttempts.incrementAndGet() < 3) {
                throw new PluginTransportException("calculator", ErrorCode.CONNECT_FAILED, "connection refused", null,
                        null, null);
            }
            return "ok";
        }

        @Retryable(predicate = PluginRetryPredicate.class, maxRetries = 3, delay = 1)
        public String invalidArgument() {
            invalidAttempts.incrementAndGet();
            throw Status.INVALID_ARGUMENT.asRuntimeException();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableResilientMethods
    @Import(RetryableCalls.class)
    static class RetryableBeans {
    }
}
