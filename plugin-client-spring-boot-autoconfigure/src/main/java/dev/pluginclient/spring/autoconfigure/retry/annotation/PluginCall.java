package dev.pluginclient.spring.autoconfigure.retry.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.core.annotation.AliasFor;

/**
 * Marks a bean method (or every public method of a bean class) that calls a plugin. The method runs
 * through that plugin's retry and circuit-breaker settings from
 * {@code plugin-client.plugins.<name>.retry} and {@code .circuit-breaker}, and returns the fallback
 * method's result when the plugin is unavailable.
 *
 * <pre>{@code
 * @PluginCall(plugin = "calculator", fallbackMethod = "addLocally")
 * public long add(long a, long b) {
 *     return calculator.add(BinaryRequest.newBuilder().setA(a).setB(b).build()).getValue();
 * }
 *
 * long addLocally(long a, long b, Throwable failure) {
 *     return a + b;
 * }
 * }</pre>
 *
 * <p>The whole method is retried, so annotate only methods that are safe to run again. Retries
 * happen only for transient failures ({@link dev.pluginclient.PluginException#isTransient}), and
 * each attempt counts in a circuit breaker per plugin that is shared by all its annotated methods.
 * Calls inside the method still get the channel's own per-call retries.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface PluginCall {

    /** Alias for {@link #plugin()}. */
    @AliasFor("plugin")
    String value() default "";

    /** Name of the plugin under {@code plugin-client.plugins} whose settings apply. */
    @AliasFor("value")
    String plugin() default "";

    /**
     * Name of a method on the same bean that returns the result when the plugin is unavailable (its
     * circuit is open, it is FAILED or STOPPED, or a transient failure remained after the retries).
     * It takes the same parameters, optionally followed by a {@link Throwable} parameter that receives
     * the failure, and returns a type assignable to this method's. Empty means no fallback: the
     * failure reaches the caller. Application errors such as INVALID_ARGUMENT always reach the caller.
     */
    String fallbackMethod() default "";

    /** Whether the method is retried with the plugin's retry settings. */
    boolean retry() default true;

    /** Whether the method goes through the plugin's method-level circuit breaker. */
    boolean circuitBreaker() default true;
}
