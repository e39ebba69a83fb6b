package dev.pluginclient.sample;

import dev.pluginclient.calculator.v1.BinaryRequest;
import dev.pluginclient.calculator.v1.CalculatorGrpc;
import dev.pluginclient.spring.autoconfigure.retry.annotation.PluginCall;
import dev.pluginclient.spring.autoconfigure.stub.PluginStub;
import org.springframework.stereotype.Service;

/**
 * Calls the calculator plugin.
 *
 * <p>Two layers keep the calls working while the plugin fails. The plugin's channel retries each
 * call after a transient failure (UNAVAILABLE, or a plugin that is restarting), up to
 * {@code retry.max-attempts} times. When those retries are used up, {@link PluginCall} runs the whole
 * method again with the same retry settings. Errors of the calculator itself, such as a division by
 * zero (INVALID_ARGUMENT), are never retried and reach the caller as they are.
 */
@Service
@PluginCall(plugin = CalculatorService.PLUGIN)
public class CalculatorService {

    /** Name of the plugin under {@code plugin-client.plugins}. */
    public static final String PLUGIN = "calculator";

    private final CalculatorGrpc.CalculatorBlockingStub calculator;

    public CalculatorService(@PluginStub(PLUGIN) CalculatorGrpc.CalculatorBlockingStub calculator) {
        this.calculator = calculator;
    }

    public long add(long a, long b) {
        return calculator.add(request(a, b)).getValue();
    }

    public long subtract(long a, long b) {
        return calculator.subtract(request(a, b)).getValue();
    }

    public long multiply(long a, long b) {
        return calculator.multiply(request(a, b)).getValue();
    }

    /** Divides a by b. The plugin rejects b = 0 with INVALID_ARGUMENT. */
    public double divide(long a, long b) {
        return calculator.divide(request(a, b)).getValue();
    }

    private static BinaryRequest request(long a, long b) {
        return BinaryRequest.newBuilder().setA(a).setB(b).build();
    }
}
