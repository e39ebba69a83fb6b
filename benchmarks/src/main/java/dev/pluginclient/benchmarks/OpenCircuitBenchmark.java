package dev.pluginclient.benchmarks;

import dev.pluginclient.PluginClient;
import dev.pluginclient.calculator.v1.BinaryRequest;
import dev.pluginclient.calculator.v1.CalculatorGrpc;
import dev.pluginclient.calculator.v1.CalculatorGrpc.CalculatorBlockingStub;
import dev.pluginclient.resilience.CircuitBreakerPolicy;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of a call that the open circuit breaker rejects before it reaches the plugin, against
 * the cost of a plain Java method call that is not inlined.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Benchmark)
public class OpenCircuitBenchmark {

    /** Long enough that the circuit stays open for the whole run. */
    private static final Duration WAIT_IN_OPEN = Duration.ofHours(1);

    private BenchmarkTarget target;
    private PluginClient client;
    private CalculatorBlockingStub stub;
    private final BinaryRequest request = BinaryRequest.newBuilder().setA(5).setB(3).build();
    private long operand = 5;

    @Setup(Level.Trial)
    public void setUp() {
        target = BenchmarkTarget.fromSystemProperties();
        client = GoCalculatorPlugin.managedClient(target.reattachConfig("open-circuit"))
                .circuitBreaker(CircuitBreakerPolicy.defaults().withWaitInOpen(WAIT_IN_OPEN))
                .build();
        client.start();
        stub = CalculatorGrpc.newBlockingStub(client.channel());
        stub.add(request);

        CircuitBreaker breaker = client.circuitBreaker()
                .orElseThrow(() -> new IllegalStateException("the managed client has no circuit breaker"));
        breaker.transitionToOpenState();
        try {
            stub.add(request);
            throw new IllegalStateException("a call went through although the circuit breaker is "
                    + breaker.getState());
        } catch (StatusRuntimeException expected) {
            // The circuit is open: calls fail fast from here on.
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (client != null) {
            client.stop();
        }
        if (target != null) {
            target.close();
        }
    }

    @Benchmark
    public Object rejectedCall() {
        try {
            return stub.add(request);
        } catch (StatusRuntimeException rejected) {
            return rejected;
        }
    }

    @Benchmark
    public long plainMethodCall() {
        return add(operand, 3);
    }

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private static long add(long a, long b) {
        return a + b;
    }
}
