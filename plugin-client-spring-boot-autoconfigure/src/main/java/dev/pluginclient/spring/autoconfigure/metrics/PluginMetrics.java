package dev.pluginclient.spring.autoconfigure.metrics;

import dev.pluginclient.PluginClient;
import dev.pluginclient.event.PluginEvent;
import dev.pluginclient.event.PluginEventListener;
import dev.pluginclient.spring.autoconfigure.PluginClients;
import dev.pluginclient.supervision.PluginState;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;

/**
 * Micrometer meters of every plugin, all tagged with {@code plugin}:
 * <ul>
 * <li>{@code plugin.calls}: timer of call attempts, tagged {@code method} (such as
 * {@code calculator.v1.Calculator/Add}) and {@code status} (the gRPC status code, such as {@code OK}).
 * <li>{@code plugin.retries}: counter of retried calls, tagged {@code method}.
 * <li>{@code plugin.restarts}: counter of restarts since the client was created.
 * <li>{@code plugin.circuit.state}: gauge per circuit-breaker {@code state} (closed, open, half_open,
 * disabled, forced_open, metrics_only), 1 for the current state and 0 for the others.
 * <li>{@code plugin.up}: gauge, 1 when the plugin is READY and 0 otherwise.
 * </ul>
 */
public class PluginMetrics implements MeterBinder {

    private static final String[] CIRCUIT_STATES = { "closed", "open", "half_open", "disabled", "forced_open",
            "metrics_only" };

    private final PluginClients clients;

    public PluginMetrics(PluginClients clients) {
        this.clients = clients;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (String name : clients.names()) {
            PluginClient client = clients.get(name);
            Gauge.builder("plugin.up", client, PluginMetrics::up)
                    .tag("plugin", name)
                    .description("1 when the plugin is READY, 0 otherwise")
                    .register(registry);
            FunctionCounter.builder("plugin.restarts", client, PluginMetrics::restarts)
                    .tag("plugin", name)
                    .description("Restarts of the plugin since the application started")
                    .register(registry);
            for (String state : CIRCUIT_STATES) {
                Gauge.builder("plugin.circuit.state", client, current -> circuitState(current).equals(state) ? 1 : 0)
                        .tags("plugin", name, "state", state)
                        .description("1 for the current state of the plugin's circuit breaker, 0 for the others")
                        .register(registry);
            }
            client.addListener(new CallRecorder(registry));
        }
    }

    private static double up(PluginClient client) {
        return client.state() == PluginState.READY ? 1 : 0;
    }

    private static double restarts(PluginClient client) {
        try {
            return client.status().restarts();
        } catch (RuntimeException unavailable) {
            return Double.NaN;
        }
    }

    private static String circuitState(PluginClient client) {
        return client.circuitBreaker()
                .map(CircuitBreaker::getState)
                .map(state -> state.name().toLowerCase(Locale.ROOT))
                .orElse("disabled");
    }

    /** Records call attempts and retries from the plugin's events. */
    private static final class CallRecorder implements PluginEventListener {

        private final MeterRegistry registry;

        CallRecorder(MeterRegistry registry) {
            this.registry = registry;
        }

        @Override
        public void onEvent(PluginEvent event) {
            if (event instanceof PluginEvent.CallCompleted call) {
                Timer.builder("plugin.calls")
                        .tags("plugin", call.pluginName(), "method", call.method(), "status", call.status().name())
                        .description("Call attempts to the plugin")
                        .register(registry)
                        .record(call.duration());
            } else if (event instanceof PluginEvent.RetryScheduled retry) {
                Counter.builder("plugin.retries")
                        .tags("plugin", retry.pluginName(), "method", retry.method())
                        .description("Retries of calls to the plugin after a transient failure")
                        .register(registry)
                        .increment();
            }
        }
    }
}
