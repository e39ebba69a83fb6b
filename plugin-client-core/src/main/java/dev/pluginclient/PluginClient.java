package dev.pluginclient;

import dev.pluginclient.event.PluginEventListener;
import dev.pluginclient.health.HealthPolicy;
import dev.pluginclient.resilience.CircuitBreakerPolicy;
import dev.pluginclient.resilience.RetryPolicy;
import dev.pluginclient.supervision.PluginState;
import dev.pluginclient.supervision.PluginStatus;
import dev.pluginclient.supervision.PluginSupervisor;
import dev.pluginclient.supervision.RestartPolicy;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.grpc.Channel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A managed plugin: one or more plugin processes behind one stable gRPC {@link Channel}, kept
 * running by a supervisor and called through retry, circuit breaker and deadline policies.
 *
 * <p>Stubs made once from {@link #channel()} keep working across restarts. A call made while the
 * plugin restarts waits for it, within the call's deadline.
 *
 * <pre>{@code
 * PluginClient client = PluginClient.builder(config).build();
 * client.start();
 * CalculatorGrpc.CalculatorBlockingStub calculator = CalculatorGrpc.newBlockingStub(client.channel());
 * }</pre>
 */
public final class PluginClient implements AutoCloseable {

    /** Default deadline of a call whose caller set none. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(10);

    private final PluginSupervisor supervisor;

    private PluginClient(Builder builder) {
        this.supervisor = new PluginSupervisor(builder);
    }

    public static Builder builder(PluginConfig config) {
        return new Builder(config);
    }

    public String name() {
        return supervisor.config().name();
    }

    public PluginConfig config() {
        return supervisor.config();
    }

    /**
     * Starts every pool member and waits until at least one is READY. A start that fails for a
     * reason a restart may fix (the process exited before the handshake, for example) is retried
     * within the restart budget first, so this can take as long as the restart policy's backoffs.
     *
     * @throws PluginException when the plugin cannot be started; the client is then FAILED
     */
    public void start() {
        supervisor.start();
    }

    /** Stops every process gracefully (Shutdown, grace period, terminate, kill). Idempotent. */
    public void stop() {
        supervisor.stop();
    }

    /** Restarts every member now, also from FAILED, and resets the restart budget. Blocks until READY. */
    public void restart() {
        supervisor.restart();
    }

    /** The stable channel to build stubs from. */
    public Channel channel() {
        return supervisor.channel();
    }

    public PluginState state() {
        return supervisor.state();
    }

    public PluginStatus status() {
        return supervisor.status();
    }

    /** The plugin's circuit breaker, when one is enabled. */
    public Optional<CircuitBreaker> circuitBreaker() {
        return supervisor.circuitBreaker();
    }

    public void addListener(PluginEventListener listener) {
        supervisor.addListener(listener);
    }

    public void removeListener(PluginEventListener listener) {
        supervisor.removeListener(listener);
    }

    /** Runs {@code call} with the stable channel; a convenience for code that builds stubs per call. */
    public <T> T execute(Function<Channel, T> call) {
        return call.apply(channel());
    }

    /**
     * Runs {@code call}, and returns {@code fallback}'s value instead when the plugin is unavailable:
     * the circuit is open, the plugin is FAILED or STOPPED, or the call still failed with a transient
     * failure after its retries. Other failures, such as INVALID_ARGUMENT, reach the caller.
     */
    public <T> T execute(Function<Channel, T> call, Function<Throwable, T> fallback) {
        Objects.requireNonNull(fallback, "fallback");
        try {
            return call.apply(channel());
        } catch (RuntimeException failure) {
            if (isUnavailable(failure)) {
                return fallback.apply(failure);
            }
            throw failure;
        }
    }

    /** Tells whether a failure means the plugin could not serve the call (as opposed to an application error). */
    public static boolean isUnavailable(Throwable failure) {
        for (Throwable current = failure; current != null; current = current.getCause()) {
            if (current instanceof PluginUnavailableException) {
                return true;
            }
            if (current.getCause() == current) {
                break;
            }
        }
        return PluginException.isTransient(failure);
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "PluginClient[" + name() + ", " + state() + "]";
    }

    /** Builder for {@link PluginClient}. Every policy has a production-safe default. */
    public static final class Builder {

        private final PluginConfig config;
        private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
        private RetryPolicy retry = RetryPolicy.defaults();
        private CircuitBreakerPolicy circuitBreaker = CircuitBreakerPolicy.defaults();
        private HealthPolicy health = HealthPolicy.defaults();
        private RestartPolicy restart = RestartPolicy.defaults();
        private int poolSize = 1;
        private final List<PluginEventListener> listeners = new ArrayList<>();

        private Builder(PluginConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** The deadline applied to calls whose caller set none. */
        public Builder callTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new PluginConfigurationException(config.name(), ErrorCode.INVALID_CONFIGURATION,
                        "invalid property 'call-timeout': the duration " + timeout + " is not positive",
                        "use a positive duration such as 10s");
            }
            this.callTimeout = timeout;
            return this;
        }

        public Builder retry(RetryPolicy policy) {
            this.retry = Objects.requireNonNull(policy, "retry");
            return this;
        }

        public Builder circuitBreaker(CircuitBreakerPolicy policy) {
            this.circuitBreaker = Objects.requireNonNull(policy, "circuitBreaker");
            return this;
        }

        public Builder health(HealthPolicy policy) {
            this.health = Objects.requireNonNull(policy, "health");
            return this;
        }

        public Builder restart(RestartPolicy policy) {
            this.restart = Objects.requireNonNull(policy, "restart");
            return this;
        }

        /** How many processes of the plugin run behind the channel; calls go to the least busy one. */
        public Builder poolSize(int size) {
            if (size < 1) {
                throw new PluginConfigurationException(config.name(), ErrorCode.INVALID_CONFIGURATION,
                        "invalid property 'pool.size': " + size + " is less than 1", "use a pool size of 1 or more");
            }
            if (size > 1 && config.isReattach()) {
                throw new PluginConfigurationException(config.name(), ErrorCode.INVALID_CONFIGURATION,
                        "invalid property 'pool.size': a reattached plugin is a single process", "use pool size 1");
            }
            this.poolSize = size;
            return this;
        }

        public Builder listener(PluginEventListener listener) {
            this.listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        public PluginClient build() {
            return new PluginClient(this);
        }

        public PluginConfig config() {
            return config;
        }

        public Duration callTimeout() {
            return callTimeout;
        }

        public RetryPolicy retry() {
            return retry;
        }

        public CircuitBreakerPolicy circuitBreaker() {
            return circuitBreaker;
        }

        public HealthPolicy health() {
            return health;
        }

        public RestartPolicy restartPolicy() {
            return restart;
        }

        public int poolSize() {
            return poolSize;
        }

        public List<PluginEventListener> listeners() {
            return List.copyOf(listeners);
        }
    }
}
