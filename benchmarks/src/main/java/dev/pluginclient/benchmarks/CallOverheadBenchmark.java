package dev.pluginclient.benchmarks;

import dev.pluginclient.PluginClient;
import dev.pluginclient.benchmarks.PlainChannels.PlainChannel;
import dev.pluginclient.calculator.v1.BinaryRequest;
import dev.pluginclient.calculator.v1.CalculatorGrpc;
import dev.pluginclient.calculator.v1.CalculatorGrpc.CalculatorBlockingStub;
import dev.pluginclient.calculator.v1.Result;
import dev.pluginclient.transport.PluginChannels;
import io.grpc.ManagedChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
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
 * Unary Add latency through the managed channel of a {@link PluginClient} (retry, circuit breaker and
 * deadline on) against a plain grpc-java channel to the same plugin process, one caller at a time.
 *
 * <p>Two more benchmarks split the difference: the plain channel with the same 10 s deadline, and the
 * library's own per-process channel ({@link PluginChannels}) with that deadline but without the
 * stable channel's retry and circuit breaker.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Benchmark)
public class CallOverheadBenchmark {

    private static final long CALL_TIMEOUT_NANOS = GoCalculatorPlugin.CALL_TIMEOUT.toNanos();

    private BenchmarkTarget target;
    private PluginClient client;
    private PlainChannel plainChannel;
    private ManagedChannel pluginChannel;
    private CalculatorBlockingStub managedStub;
    private CalculatorBlockingStub plainStub;
    private CalculatorBlockingStub pluginChannelStub;
    private final BinaryRequest request = BinaryRequest.newBuilder().setA(5).setB(3).build();

    @Setup(Level.Trial)
    public void setUp() {
        target = BenchmarkTarget.fromSystemProperties();
        client = GoCalculatorPlugin.managedClient(target.reattachConfig("call-overhead")).build();
        client.start();
        plainChannel = PlainChannels.open(target.network(), target.address());
        managedStub = CalculatorGrpc.newBlockingStub(client.channel());
        plainStub = CalculatorGrpc.newBlockingStub(plainChannel.channel());
        pluginChannel = PluginChannels.create(target.network(), target.address(), null);
        pluginChannelStub = CalculatorGrpc.newBlockingStub(pluginChannel);

        // The channels connect lazily, so the first call on each pays for the connection, outside the measurement.
        managedStub.add(request);
        plainStub.add(request);
        pluginChannelStub.add(request);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (plainChannel != null) {
            plainChannel.close();
        }
        if (pluginChannel != null) {
            pluginChannel.shutdownNow();
        }
        if (client != null) {
            client.stop();
        }
        if (target != null) {
            target.close();
        }
    }

    @Benchmark
    public Result managedChannel() {
        return managedStub.add(request);
    }

    @Benchmark
    public Result plainChannel() {
        return plainStub.add(request);
    }

    @Benchmark
    public Result plainChannelWithDeadline() {
        return plainStub.withDeadlineAfter(CALL_TIMEOUT_NANOS, TimeUnit.NANOSECONDS).add(request);
    }

    @Benchmark
    public Result pluginChannelWithDeadline() {
        return pluginChannelStub.withDeadlineAfter(CALL_TIMEOUT_NANOS, TimeUnit.NANOSECONDS).add(request);
    }
}
