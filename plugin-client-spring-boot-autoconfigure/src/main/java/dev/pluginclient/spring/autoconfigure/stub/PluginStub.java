package dev.pluginclient.spring.autoconfigure.stub;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Injects a gRPC stub, or the {@link io.grpc.Channel}, of a configured plugin.
 *
 * <p>The stub is made by the generated factory method whose return type is the field's or
 * parameter's type ({@code newBlockingStub}, {@code newStub}, {@code newFutureStub} or
 * {@code newBlockingV2Stub}) on the plugin's stable channel, so it keeps working across plugin
 * restarts, and its first call starts a lazy plugin.
 *
 * <pre>{@code
 * @Service
 * class Pricing {
 *     @PluginStub("calculator")
 *     CalculatorGrpc.CalculatorBlockingStub calculator;
 * }
 *
 * @Service
 * class Billing {
 *     private final CalculatorGrpc.CalculatorFutureStub calculator;
 *
 *     Billing(@PluginStub("calculator") CalculatorGrpc.CalculatorFutureStub calculator) {
 *         this.calculator = calculator;
 *     }
 * }
 * }</pre>
 *
 * Fields are injected without {@code @Autowired}. Constructor and {@code @Bean} method parameters
 * are resolved by the same rules.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface PluginStub {

    /** Name of the plugin under {@code plugin-client.plugins}. */
    String value();
}
