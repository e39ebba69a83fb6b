package dev.pluginclient.sample;

import com.jayway.jsonpath.JsonPath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The packaged sample-app.jar running as its own process, with its working directory at the
 * repository root, as a user runs it.
 *
 * <p>Every process the application starts inherits an environment variable with a value unique to
 * this run, so that {@link #findLeftoverProcesses()} finds them even after they were reparented.
 */
final class SampleAppProcess implements AutoCloseable {

    /** Environment variable that marks the application and every process it starts. */
    static final String RUN_MARKER_VARIABLE = "SAMPLE_APP_TEST_RUN";

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final int port;
    private final Path logFile;
    private final String runMarker;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<ProcessHandle> knownChildren = new ArrayList<>();

    private SampleAppProcess(Process process, int port, Path logFile, String runMarker) {
        this.process = process;
        this.port = port;
        this.logFile = logFile;
        this.runMarker = runMarker;
    }

    /**
     * Starts {@code java -jar sample-app.jar --server.port=<free port>} plus {@code arguments} in the
     * repository root, with standard output and error going to {@code logFile}.
     */
    static SampleAppProcess start(Path repoRoot, Path jar, Path logFile, String... arguments) throws IOException {
        int port = findFreePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-jar");
        command.add(jar.toString());
        command.add("--server.port=" + port);
        command.addAll(List.of(arguments));

        Files.createDirectories(logFile.getParent());
        String runMarker = UUID.randomUUID().toString();
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(repoRoot.toFile())
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        builder.environment().put(RUN_MARKER_VARIABLE, runMarker);
        return new SampleAppProcess(builder.start(), port, logFile, runMarker);
    }

    private static int findFreePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    long pid() {
        return process.pid();
    }

    Process process() {
        return process;
    }

    /** Sends a GET request and returns the response. */
    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    /** Sends a POST request without a body and returns the response. */
    HttpResponse<String> post(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /**
     * Sends GET requests every 250 ms until a response with status 200 whose body matches
     * {@code condition} arrives, and returns that body.
     *
     * @throws AssertionError when none arrives within {@code timeout} or the application exited
     */
    String awaitResponse(String path, Predicate<String> condition, Duration timeout)
            throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        String lastOutcome = "no response";
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("The sample application exited with status " + process.exitValue()
                        + " while waiting for GET " + path + ". Last lines of its output:\n" + logTail());
            }
            try {
                HttpResponse<String> response = get(path);
                if (response.statusCode() == 200 && condition.test(response.body())) {
                    return response.body();
                }
                lastOutcome = "HTTP " + response.statusCode() + " " + response.body();
            } catch (ConnectException | HttpTimeoutException notYet) {
                lastOutcome = notYet.toString();
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
        throw new AssertionError("GET " + path + " did not return the expected response within " + timeout
                + ". Last outcome: " + lastOutcome + "\nLast lines of the application's output:\n" + logTail());
    }

    /** Waits until {@code /actuator/health} is UP and returns its body. */
    String awaitHealthUp(Duration timeout) throws IOException, InterruptedException {
        return awaitResponse("/actuator/health", body -> "UP".equals(JsonPath.read(body, "$.status")), timeout);
    }

    /**
     * Remembers the application's current child processes, so that {@link #findLeftoverProcesses()}
     * checks them after the application exited, when their parent is no longer the application.
     */
    void rememberChildren() {
        process.descendants().forEach(knownChildren::add);
    }

    /**
     * Stops the application with SIGTERM, as a service manager does, and waits for it to exit.
     *
     * @return the exit status
     * @throws AssertionError when the application does not exit within {@code timeout}
     */
    int stopGracefully(Duration timeout) throws InterruptedException {
        rememberChildren();
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("The sample application did not exit within " + timeout
                    + " after SIGTERM. Last lines of its output:\n" + logTail());
        }
        return process.exitValue();
    }

    /**
     * Returns every process of this run that is still alive: the remembered children of the
     * application and any process whose environment contains this run's marker.
     */
    List<ProcessHandle> findLeftoverProcesses() {
        List<ProcessHandle> leftovers = new ArrayList<>();
        for (ProcessHandle child : knownChildren) {
            if (child.isAlive()) {
                leftovers.add(child);
            }
        }
        ProcessHandle.allProcesses()
                .filter(candidate -> candidate.pid() != ProcessHandle.current().pid())
                .filter(this::carriesRunMarker)
                .filter(candidate -> leftovers.stream().noneMatch(known -> known.pid() == candidate.pid()))
                .forEach(leftovers::add);
        return leftovers;
    }

    /**
     * Waits up to {@code timeout} for every leftover process to go away, because the kernel may
     * report a process killed a moment ago as alive until its parent reaped it.
     */
    List<ProcessHandle> awaitNoLeftoverProcesses(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        List<ProcessHandle> leftovers = findLeftoverProcesses();
        while (!leftovers.isEmpty() && Instant.now().isBefore(deadline)) {
            TimeUnit.MILLISECONDS.sleep(200);
            leftovers = findLeftoverProcesses();
        }
        return leftovers;
    }

    private boolean carriesRunMarker(ProcessHandle candidate) {
        Path environ = Path.of("/proc", Long.toString(candidate.pid()), "environ");
        try {
            // Entries are separated by NUL bytes. Only this run's marker is looked for, and nothing is printed.
            String environment = new String(Files.readAllBytes(environ), StandardCharsets.UTF_8);
            return environment.contains(RUN_MARKER_VARIABLE + "=" + runMarker);
        } catch (IOException | UncheckedIOException | SecurityException unreadable) {
            // Another user's process, or one that exited meanwhile.
            return false;
        }
    }

    /** Returns the last 60 lines of the application's output. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException | UncheckedIOException unreadable) {
            return "(output not readable: " + unreadable + ")";
        }
    }

    /** Returns the application's whole output so far. */
    String log() throws IOException {
        return Files.readString(logFile, StandardCharsets.UTF_8);
    }

    /** Kills the application and every process of this run that is still alive. */
    @Override
    public void close() {
        if (process.isAlive()) {
            rememberChildren();
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        findLeftoverProcesses().forEach(ProcessHandle::destroyForcibly);
    }

    static Path requireFile(Path file, String hint) {
        Objects.requireNonNull(file, "file");
        if (!Files.isRegularFile(file)) {
            throw new AssertionError(file + " not found. " + hint);
        }
        return file;
    }
}
