package dev.pluginclient.calculator.plugin;

import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The calculator plugin started from the test classpath as a child JVM, the way a host starts it. */
final class CalculatorProcess implements AutoCloseable {

    private static final EpollEventLoopGroup EVENT_LOOP = new EpollEventLoopGroup(1);

    private final Process process;
    private final BufferedReader stdout;
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final CompletableFuture<Void> stderrDrained;
    private ManagedChannel channel;

    private CalculatorProcess(Process process) {
        this.process = process;
        this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.stderrDrained = CompletableFuture.runAsync(() -> drain(process.getErrorStream()));
    }

    /** Starts the plugin with the host's usual variables, {@code extraEnv} added on top. */
    static CalculatorProcess start(Path socketDir, Map<String, String> extraEnv) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", classpath, CalculatorPlugin.class.getName()));
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("PLUGIN_") || name.startsWith("CALCULATOR_"));
        Map<String, String> host = new HashMap<>();
        host.put(CalculatorPlugin.COOKIE_KEY, CalculatorPlugin.COOKIE_VALUE);
        host.put("PLUGIN_PROTOCOL_VERSIONS", "1");
        host.put("PLUGIN_MIN_PORT", "10000");
        host.put("PLUGIN_MAX_PORT", "25000");
        host.put("PLUGIN_UNIX_SOCKET_DIR", socketDir.toString());
        host.putAll(extraEnv);
        env.putAll(host);
        return new CalculatorProcess(builder.start());
    }

    /** Reads the first stdout line within 20 seconds; null when stdout closed first. */
    String readLine() throws Exception {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return stdout.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        return line.get(20, TimeUnit.SECONDS);
    }

    /** Reads the handshake line and opens a plaintext channel to the address in it. */
    ManagedChannel connect() throws Exception {
        String line = readLine();
        if (line == null) {
            throw new IllegalStateException("plugin closed stdout before the handshake; stderr: " + stderr());
        }
        String[] fields = line.split("\\|", -1);
        if (fields[2].equals("unix")) {
            channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(fields[3]),
                            InsecureChannelCredentials.create())
                    .channelType(EpollDomainSocketChannel.class)
                    .eventLoopGroup(EVENT_LOOP)
                    .build();
        } else {
            String[] hostPort = fields[3].split(":");
            channel = NettyChannelBuilder.forAddress(hostPort[0], Integer.parseInt(hostPort[1]),
                    InsecureChannelCredentials.create()).build();
        }
        return channel;
    }

    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("plugin still running after " + timeout + "; stderr: " + stderr());
        }
        return process.exitValue();
    }

    String stderr() {
        if (!process.isAlive()) {
            try {
                stderrDrained.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // Return what arrived so far.
            }
        }
        synchronized (stderr) {
            return stderr.toString(StandardCharsets.UTF_8);
        }
    }

    Process process() {
        return process;
    }

    private void drain(InputStream in) {
        byte[] buffer = new byte[8192];
        try {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                synchronized (stderr) {
                    stderr.write(buffer, 0, read);
                }
            }
        } catch (IOException e) {
            // The process ended.
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow();
            channel.awaitTermination(5, TimeUnit.SECONDS);
        }
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
