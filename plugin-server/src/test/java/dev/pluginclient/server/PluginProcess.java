package dev.pluginclient.server;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A test plugin started as a child JVM, with its handshake line and its stderr. */
final class PluginProcess implements AutoCloseable {

    private final Process process;
    private final BufferedReader stdout;
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final CompletableFuture<Void> stderrDrained;

    private PluginProcess(Process process) {
        this.process = process;
        this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.stderrDrained = CompletableFuture.runAsync(() -> copy(process.getErrorStream()));
    }

    /** Starts {@code mainClass} from the test classpath with go-plugin variables from {@code env} only. */
    static PluginProcess start(String mainClass, Map<String, String> env) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xshare:auto", "-cp", classpath, mainClass));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("PLUGIN_") || name.startsWith("TEST_PLUGIN"));
        builder.environment().putAll(env);
        return new PluginProcess(builder.start());
    }

    /** Reads the first stdout line, failing when none arrives within the timeout. */
    String readHandshake(Duration timeout) throws Exception {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return stdout.readLine();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            String handshake = line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (handshake == null) {
                throw new IllegalStateException("plugin closed stdout before the handshake; stderr: " + stderr());
            }
            return handshake;
        } catch (TimeoutException e) {
            throw new IllegalStateException("no handshake line within " + timeout + "; stderr: " + stderr(), e);
        }
    }

    /** Waits for the exit and returns the exit status, failing after the timeout. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("plugin still running after " + timeout + "; stderr: " + stderr());
        }
        return process.exitValue();
    }

    /** Returns everything the plugin wrote to stderr so far; waits for the rest after exit. */
    String stderr() {
        if (!process.isAlive()) {
            try {
                stderrDrained.get(5, TimeUnit.SECONDS);
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
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

    private void copy(InputStream in) {
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
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
