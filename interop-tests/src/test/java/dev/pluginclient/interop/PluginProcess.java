package dev.pluginclient.interop;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;

import dev.pluginclient.protocol.Empty;
import dev.pluginclient.protocol.GRPCControllerGrpc;

/**
 * A plugin process started directly by a test, without a host library: it sets the magic cookie and
 * the port range as go-plugin hosts do, reads the handshake line and opens plain gRPC channels to
 * the advertised address. Closing it stops the process and every channel.
 */
public final class PluginProcess implements AutoCloseable {

    private final Process process;
    private final String handshakeLine;
    private final List<String> handshakeFields;
    private final StreamCollector stdout;
    private final StreamCollector stderr;
    private final List<ManagedChannel> channels = new ArrayList<>();

    private PluginProcess(Process process, String handshakeLine, StreamCollector stdout, StreamCollector stderr) {
        this.process = process;
        this.handshakeLine = handshakeLine;
        this.handshakeFields = List.of(handshakeLine.trim().split("\\|", -1));
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Starts {@code command} with the calculator cookie, {@code PLUGIN_MIN_PORT=10000},
     * {@code PLUGIN_MAX_PORT=25000} and {@code PLUGIN_PROTOCOL_VERSIONS=1} plus {@code extraEnvironment},
     * and waits up to {@code handshakeTimeout} for the handshake line.
     *
     * @throws IllegalStateException if the process printed no line in time; the process is stopped
     */
    public static PluginProcess start(List<String> command, Map<String, String> extraEnvironment,
            Duration handshakeTimeout) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> environment = builder.environment();
        environment.put(Peers.COOKIE_KEY, Peers.COOKIE_VALUE);
        environment.put("PLUGIN_MIN_PORT", "10000");
        environment.put("PLUGIN_MAX_PORT", "25000");
        environment.put("PLUGIN_PROTOCOL_VERSIONS", "1");
        environment.putAll(extraEnvironment);

        Process process = builder.start();
        process.getOutputStream().close();
        String name = Path.of(command.get(0)).getFileName().toString();
        StreamCollector stdout = StreamCollector.start(process.getInputStream(), name + "-stdout");
        StreamCollector stderr = StreamCollector.start(process.getErrorStream(), name + "-stderr");

        Optional<String> line = stdout.awaitFirstLine(handshakeTimeout);
        if (line.isEmpty()) {
            Peers.destroyWithDescendants(process);
            process.waitFor(5, TimeUnit.SECONDS);
            stderr.awaitEnd(Duration.ofSeconds(2));
            throw new IllegalStateException("Plugin " + command + " printed no handshake line within "
                    + handshakeTimeout.toMillis() + " ms (alive: " + process.isAlive() + "). Stderr:\n"
                    + stderr.text());
        }
        return new PluginProcess(process, line.get(), stdout, stderr);
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    /** The first stdout line exactly as printed. */
    public String handshakeLine() {
        return handshakeLine;
    }

    /** Handshake fields split on every {@code |}: core version, app version, network, address, protocol, certificate. */
    public List<String> handshakeFields() {
        return handshakeFields;
    }

    public String network() {
        return handshakeFields.get(2);
    }

    public String address() {
        return handshakeFields.get(3);
    }

    public StreamCollector stderr() {
        return stderr;
    }

    public StreamCollector stdout() {
        return stdout;
    }

    /** Opens a plaintext channel to the advertised {@code unix} or {@code tcp} address; closed by {@link #close()}. */
    public synchronized ManagedChannel openPlainChannel() {
        String target = switch (network()) {
            case "unix" -> "unix://" + address();
            case "tcp" -> "dns:///" + address();
            default -> throw new IllegalStateException("Unknown network '" + network() + "' in handshake line: "
                    + handshakeLine);
        };
        ManagedChannel channel = Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
        channels.add(channel);
        return channel;
    }

    /** Waits up to {@code timeout} for the process to exit and returns its exit status if it did. */
    public Optional<Integer> awaitExit(Duration timeout) throws InterruptedException {
        if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return Optional.of(process.exitValue());
        }
        return Optional.empty();
    }

    // Stops the plugin the way go-plugin's Kill does, so that a Go plugin also removes its socket
    // file, which SIGTERM would leave behind.
    private void requestShutdown() throws InterruptedException {
        ManagedChannel channel = openPlainChannel();
        try {
            GRPCControllerGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(2, TimeUnit.SECONDS)
                    .shutdown(Empty.getDefaultInstance());
        }
        catch (StatusRuntimeException ex) {
            // go-plugin's Go server stops before it replies, so UNAVAILABLE is the usual outcome.
        }
        finally {
            channel.shutdownNow();
        }
        process.waitFor(2, TimeUnit.SECONDS);
    }

    @Override
    public synchronized void close() throws InterruptedException {
        if (process.isAlive()) {
            requestShutdown();
        }
        for (ManagedChannel channel : channels) {
            channel.shutdownNow();
        }
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                Peers.destroyWithDescendants(process);
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
        for (ManagedChannel channel : channels) {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

}
