package dev.pluginclient.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Paths of the go-plugin peers that {@code scripts/build-peers.sh} builds from Debian packages into
 * {@code <repo>/interop-tests/target/peers}: a Go calculator plugin and a Go host on go-plugin 1.0.1,
 * and a Python calculator plugin. The script runs once per JVM, on the first call of {@link #get()}.
 *
 * <p>When the build fails, tests that need the peers fail if the environment variable {@code CI} is
 * {@code true}, and are aborted (skipped) otherwise, with the script's output and the Debian packages
 * to install.
 */
public final class Peers {

    /** Name of the environment variable that carries the calculator plugins' magic cookie. */
    public static final String COOKIE_KEY = "CALCULATOR_PLUGIN";

    /** Magic cookie value of every calculator plugin. It is a start-up check, not a secret. */
    public static final String COOKIE_VALUE = "calculator-v1-7d2f4c";

    private static final Logger log = LoggerFactory.getLogger(Peers.class);

    private static final String DEBIAN_PACKAGES = "golang-go golang-github-hashicorp-go-plugin-dev "
            + "golang-google-grpc-dev golang-goprotobuf-dev protobuf-compiler python3-grpcio "
            + "python3-protobuf python3-grpc-tools python3-cryptography";

    // Covers a cold Go build cache (about 30 s on two cores) with a wide margin.
    private static final long BUILD_TIMEOUT_SECONDS = 300;

    private static Peers built;
    private static String buildFailure;

    private final Path repoRoot;
    private final Path outputDirectory;

    private Peers(Path repoRoot, Path outputDirectory) {
        this.repoRoot = repoRoot;
        this.outputDirectory = outputDirectory;
    }

    /**
     * Builds the peers on the first call and returns their paths. Fails the calling test on CI and
     * aborts it elsewhere when the build failed, on this call and on every later one.
     */
    public static synchronized Peers get() {
        if (built == null && buildFailure == null) {
            try {
                built = build();
            }
            catch (PeerBuildException ex) {
                buildFailure = ex.getMessage();
            }
        }
        if (buildFailure != null) {
            reportUnavailable(buildFailure);
        }
        return built;
    }

    /** Root of the plugin-client repository (the directory with the parent pom.xml). */
    public Path repoRoot() {
        return repoRoot;
    }

    /** Directory that the peers were built into. */
    public Path outputDirectory() {
        return outputDirectory;
    }

    /** The Go calculator plugin (go-plugin 1.0.1 server, Unix socket, AutoMTLS when requested). */
    public Path goCalculatorPlugin() {
        return outputDirectory.resolve("go-calculator-plugin");
    }

    /** The Go host; see {@link GoHost} for its modes and output. */
    public Path goHost() {
        return outputDirectory.resolve("go-host");
    }

    /** Launcher of the Python calculator plugin (TCP on 127.0.0.1, AutoMTLS when requested). */
    public Path pythonCalculatorPlugin() {
        return outputDirectory.resolve("python-calculator-plugin");
    }

    /** The Java calculator plugin's fat jar, if the calculator-plugin module has been packaged. */
    public Optional<Path> javaCalculatorPluginJar() {
        Path jar = repoRoot.resolve("calculator-plugin/target/calculator-plugin.jar");
        return Files.isRegularFile(jar) ? Optional.of(jar) : Optional.empty();
    }

    /**
     * Returns the command that starts the Java calculator plugin with this JVM's java executable,
     * or aborts the calling test when the jar has not been built.
     */
    public List<String> javaCalculatorPluginCommand() {
        Path jar = javaCalculatorPluginJar().orElse(null);
        Assumptions.assumeTrue(jar != null, () -> "The Java calculator plugin jar is missing at "
                + repoRoot.resolve("calculator-plugin/target/calculator-plugin.jar")
                + ": build it with 'mvn -B -o -pl calculator-plugin package'.");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return List.of(java.toString(), "-jar", jar.toString());
    }

    private static Peers build() throws PeerBuildException {
        Path repoRoot = findRepoRoot();
        Path outputDirectory = repoRoot.resolve("interop-tests/target/peers");
        Path script = repoRoot.resolve("scripts/build-peers.sh");

        ProcessBuilder builder = new ProcessBuilder("bash", script.toString(), outputDirectory.toString())
                .directory(repoRoot.toFile())
                .redirectErrorStream(true);
        log.info("Building go-plugin peers with {} into {}", script, outputDirectory);

        Process process;
        try {
            process = builder.start();
            process.getOutputStream().close();
        }
        catch (IOException ex) {
            throw new PeerBuildException("Starting " + script + " failed: " + ex.getMessage()
                    + ". Is bash installed?");
        }
        StreamCollector output = StreamCollector.start(process.getInputStream(), "build-peers");

        try {
            if (!process.waitFor(BUILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                destroyWithDescendants(process);
                throw new PeerBuildException(script + " timed out after " + BUILD_TIMEOUT_SECONDS
                        + " s. Output so far:\n" + output.text());
            }
            output.awaitEnd(Duration.ofSeconds(10));
            String text = output.text();
            if (process.exitValue() != 0) {
                throw new PeerBuildException(script + " failed with exit status " + process.exitValue()
                        + ". Install the Debian packages with 'sudo apt-get install -y " + DEBIAN_PACKAGES
                        + "' if a tool is missing. Output:\n" + text);
            }
            log.info("go-plugin peers ready: {}", text.strip());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            destroyWithDescendants(process);
            throw new PeerBuildException("Interrupted while waiting for " + script);
        }
        return new Peers(repoRoot, outputDirectory);
    }

    /**
     * Returns the repository root: the {@code repo.root} system property if it contains the build
     * script, else the first directory above the module (or the working directory) that does.
     */
    static Path findRepoRoot() throws PeerBuildException {
        List<Path> candidates = new ArrayList<>();
        String property = System.getProperty("repo.root");
        if (property != null && !property.isBlank()) {
            candidates.add(Path.of(property));
        }
        String moduleDir = System.getProperty("interop.module.dir");
        if (moduleDir != null && !moduleDir.isBlank()) {
            candidates.add(Path.of(moduleDir));
        }
        candidates.add(Path.of("").toAbsolutePath());

        for (Path start : candidates) {
            for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
                if (Files.isRegularFile(dir.resolve("scripts/build-peers.sh"))
                        && Files.isRegularFile(dir.resolve("interop-tests/pom.xml"))) {
                    return dir;
                }
            }
        }
        throw new PeerBuildException("Repository root not found: no directory above " + candidates
                + " contains scripts/build-peers.sh and interop-tests/pom.xml. Set -Drepo.root=<repository root>.");
    }

    private static void reportUnavailable(String message) {
        String text = "go-plugin peers are not available. " + message;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(text);
        }
        Assumptions.abort(text);
    }

    static void destroyWithDescendants(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** The peer build failed; the message contains the reason and the script's output. */
    static final class PeerBuildException extends Exception {

        PeerBuildException(String message) {
            super(message);
        }

    }

}
