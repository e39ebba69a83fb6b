package dev.pluginclient.benchmarks;

import dev.pluginclient.HandshakeConfig;
import dev.pluginclient.PluginClient;
import dev.pluginclient.PluginConfig;
import dev.pluginclient.ReattachConfig;
import dev.pluginclient.resilience.CircuitBreakerPolicy;
import dev.pluginclient.resilience.RetryPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Settings for the calculator plugin built on go-plugin 1.0.1 ({@code go-calculator-plugin} from
 * {@code scripts/build-peers.sh}), the plugin every benchmark calls.
 */
final class GoCalculatorPlugin {

    /** The magic cookie the calculator plugins are built with; not a secret. */
    static final HandshakeConfig HANDSHAKE = HandshakeConfig.of("CALCULATOR_PLUGIN", "calculator-v1-7d2f4c", 1);

    /** The deadline of calls through the managed channel, as a production host would set it. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private GoCalculatorPlugin() {
    }

    /** Builds the config that starts the plugin from {@code executable}. */
    static PluginConfig config(String name, Path executable) {
        if (!Files.isExecutable(executable)) {
            throw new IllegalArgumentException("the Go calculator plugin " + executable
                    + " is missing or not executable; build it with scripts/build-peers.sh OUTDIR");
        }
        return PluginConfig.builder(name)
                .command(executable.toString())
                .handshake(HANDSHAKE)
                .build();
    }

    /** Builds the config that attaches to a running plugin without starting or stopping it. */
    static PluginConfig reattachConfig(String name, String network, String address, long pid) {
        return PluginConfig.builder(name)
                .reattach(ReattachConfig.of(network, address).withPid(pid))
                .build();
    }

    /**
     * Returns a managed client builder with retry, circuit breaker and deadline on: the library's
     * default policies, with the calculator's methods declared idempotent so that retries may
     * replay them.
     */
    static PluginClient.Builder managedClient(PluginConfig config) {
        return PluginClient.builder(config)
                .retry(RetryPolicy.defaults().withIdempotentMethods(List.of("calculator.v1.Calculator/*")))
                .circuitBreaker(CircuitBreakerPolicy.defaults())
                .callTimeout(CALL_TIMEOUT);
    }
}
