package dev.pluginclient.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.PathNotFoundException;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * End-to-end tests of the packaged sample application: each starts {@code sample-app.jar} as its own
 * process in the repository root, calls the REST API, kills the plugin with SIGKILL, watches the
 * host restart it, stops the application with SIGTERM and checks that no plugin process is left.
 */
class SampleAppIT {

    // Generous bounds that guard against hangs. On an idle machine the application is UP in seconds.
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration LEFTOVER_GRACE = Duration.ofSeconds(5);

    private static final Path REPO_ROOT = Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
    private static final Path SAMPLE_APP_JAR = Path.of(System.getProperty("sample-app.jar",
            REPO_ROOT.resolve("sample-app/target/sample-app.jar").toString()));
    private static final Path LOG_DIRECTORY = REPO_ROOT.resolve("sample-app/target/it-logs");

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void javaPluginSurvivesSigkill() throws Exception {
        SampleAppProcess.requireFile(SAMPLE_APP_JAR, "Run mvn package in sample-app first.");
        SampleAppProcess.requireFile(REPO_ROOT.resolve("calculator-plugin/target/calculator-plugin.jar"),
                "Build calculator-plugin first: mvn -pl calculator-plugin package.");

        try (SampleAppProcess app = SampleAppProcess.start(REPO_ROOT, SAMPLE_APP_JAR,
                LOG_DIRECTORY.resolve("java-plugin.log"))) {
            String health = app.awaitHealthUp(STARTUP_TIMEOUT);
            assertThat(JsonPath.<String>read(health, "$.components.plugins.components.calculator.status"))
                    .isEqualTo("UP");

            HttpResponse<String> sum = app.get("/calculator/add?a=5&b=3");
            assertThat(sum.statusCode()).isEqualTo(200);
            assertThat(JsonPath.<Integer>read(sum.body(), "$.result")).isEqualTo(8);

            HttpResponse<String> divisionByZero = app.get("/calculator/divide?a=1&b=0");
            assertThat(divisionByZero.statusCode()).isEqualTo(400);
            assertThat(JsonPath.<String>read(divisionByZero.body(), "$.detail")).contains("division by zero");

            // Two injected UNAVAILABLE failures are retried away without a restart.
            long pidBeforeFailures = pluginPid(app);
            assertThat(app.post("/faults/fail-next?count=2").statusCode()).isEqualTo(200);
            HttpResponse<String> retriedSum = app.get("/calculator/add?a=5&b=3");
            assertThat(retriedSum.statusCode()).isEqualTo(200);
            assertThat(JsonPath.<Integer>read(retriedSum.body(), "$.result")).isEqualTo(8);
            assertThat(readLong(retriedSum.body(), "$.pluginPid")).isEqualTo(pidBeforeFailures);

            checkRecoveryFromSigkill(app, "calculator-plugin.jar");
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void goPluginSurvivesSigkill() throws Exception {
        SampleAppProcess.requireFile(SAMPLE_APP_JAR, "Run mvn package in sample-app first.");
        Path peersDirectory = REPO_ROOT.resolve("interop-tests/target/peers");
        requireGoPlugin(peersDirectory);

        try (SampleAppProcess app = SampleAppProcess.start(REPO_ROOT, SAMPLE_APP_JAR,
                LOG_DIRECTORY.resolve("go-plugin.log"), "--spring.profiles.active=go")) {
            app.awaitHealthUp(STARTUP_TIMEOUT);

            HttpResponse<String> info = app.get("/plugin/info");
            assertThat(info.statusCode()).isEqualTo(200);
            assertThat(JsonPath.<String>read(info.body(), "$.implementation")).isEqualTo("go");

            HttpResponse<String> status = app.get("/plugin");
            assertThat(JsonPath.<String>read(status.body(), "$.transport")).isEqualTo("unix+mtls");

            HttpResponse<String> sum = app.get("/calculator/add?a=5&b=3");
            assertThat(sum.statusCode()).isEqualTo(200);
            assertThat(JsonPath.<Integer>read(sum.body(), "$.result")).isEqualTo(8);

            // The Go plugin exits inside the Crash call, and the host starts a new process.
            long crashedPid = pluginPid(app);
            HttpResponse<String> crash = app.post("/faults/crash");
            assertThat(crash.statusCode()).isEqualTo(200);
            String sumAfterCrash = app.awaitResponse("/calculator/add?a=5&b=3",
                    body -> JsonPath.<Integer>read(body, "$.result") == 8
                            && !Long.valueOf(crashedPid).equals(readLong(body, "$.pluginPid")),
                    RECOVERY_TIMEOUT);
            assertThat(readLong(sumAfterCrash, "$.pluginPid")).isNotEqualTo(crashedPid);

            checkRecoveryFromSigkill(app, "go-calculator-plugin");
        }
    }

    /**
     * Kills the plugin with SIGKILL, checks that the API and health recover with a new plugin
     * process, stops the application with SIGTERM and checks that no plugin process is left.
     */
    private static void checkRecoveryFromSigkill(SampleAppProcess app, String pluginCommandPart) throws Exception {
        long firstPid = pluginPid(app);
        ProcessHandle firstPlugin = ProcessHandle.of(firstPid)
                .orElseThrow(() -> new AssertionError("Plugin process " + firstPid + " is not running"));
        assertThat(firstPlugin.parent().map(ProcessHandle::pid)).contains(app.pid());
        assertThat(commandLine(firstPlugin)).contains(pluginCommandPart);

        firstPlugin.destroyForcibly();
        firstPlugin.onExit().get(10, TimeUnit.SECONDS);

        String sum = app.awaitResponse("/calculator/add?a=5&b=3",
                body -> JsonPath.<Integer>read(body, "$.result") == 8, RECOVERY_TIMEOUT);
        assertThat(JsonPath.<Integer>read(sum, "$.result")).isEqualTo(8);

        String health = app.awaitResponse("/actuator/health",
                body -> "UP".equals(JsonPath.read(body, "$.status")) && isOtherPluginPid(body, firstPid),
                RECOVERY_TIMEOUT);
        long secondPid = readLong(health, "$.components.plugins.components.calculator.details.pid");
        assertThat(secondPid).isNotEqualTo(firstPid);
        assertThat(readLong(health, "$.components.plugins.components.calculator.details.restarts"))
                .isGreaterThanOrEqualTo(1);
        assertThat(firstPlugin.isAlive()).isFalse();

        HttpResponse<String> status = app.get("/plugin");
        assertThat(readLong(status.body(), "$.pid")).isEqualTo(secondPid);
        ProcessHandle secondPlugin = ProcessHandle.of(secondPid)
                .orElseThrow(() -> new AssertionError("Plugin process " + secondPid + " is not running"));
        assertThat(secondPlugin.parent().map(ProcessHandle::pid)).contains(app.pid());

        int exitStatus = app.stopGracefully(SHUTDOWN_TIMEOUT);
        String output = app.log();
        assertThat(output).as("application output after SIGTERM (exit status %d)", exitStatus)
                .contains("Stopped plugin 'calculator'");

        assertThat(secondPlugin.isAlive()).isFalse();
        List<ProcessHandle> leftovers = app.awaitNoLeftoverProcesses(LEFTOVER_GRACE);
        assertThat(leftovers).as("processes of this run still alive: %s",
                leftovers.stream().map(SampleAppIT::describe).toList()).isEmpty();
    }

    private static long pluginPid(SampleAppProcess app) throws IOException, InterruptedException {
        HttpResponse<String> status = app.get("/plugin");
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(JsonPath.<String>read(status.body(), "$.state")).isEqualTo("READY");
        return readLong(status.body(), "$.pid");
    }

    /** Tells whether the health response shows a plugin pid other than {@code oldPid}. */
    private static boolean isOtherPluginPid(String health, long oldPid) {
        try {
            Long pid = readLong(health, "$.components.plugins.components.calculator.details.pid");
            return pid != null && pid != oldPid;
        } catch (PathNotFoundException noPidYet) {
            // While the plugin restarts, its health has no pid.
            return false;
        }
    }

    private static Long readLong(String json, String path) {
        Number value = JsonPath.read(json, path);
        return value == null ? null : value.longValue();
    }

    private static String commandLine(ProcessHandle process) {
        Optional<String> commandLine = process.info().commandLine();
        return commandLine.orElse("");
    }

    private static String describe(ProcessHandle process) {
        return process.pid() + " " + commandLine(process);
    }

    /**
     * Makes sure the Go calculator plugin is built, with scripts/build-peers.sh if needed. Without it,
     * the test is skipped with a message, or fails when the environment variable CI is "true".
     */
    private static void requireGoPlugin(Path peersDirectory) throws IOException, InterruptedException {
        Path goPlugin = peersDirectory.resolve("go-calculator-plugin");
        String buildOutput = "";
        if (!Files.isExecutable(goPlugin)) {
            Path script = REPO_ROOT.resolve("scripts/build-peers.sh");
            Path buildLog = LOG_DIRECTORY.resolve("build-peers.log");
            Files.createDirectories(LOG_DIRECTORY);
            Process build = new ProcessBuilder(script.toString(), peersDirectory.toString())
                    .directory(REPO_ROOT.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(buildLog.toFile())
                    .start();
            if (!build.waitFor(5, TimeUnit.MINUTES)) {
                build.destroyForcibly();
            }
            buildOutput = Files.readString(buildLog);
        }
        if (Files.isExecutable(goPlugin)) {
            return;
        }

        String message = "The Go calculator plugin " + goPlugin + " is missing and scripts/build-peers.sh could "
                + "not build it. Its output:\n" + buildOutput.strip();
        if ("true".equals(System.getenv("CI"))) {
            fail(message);
        }
        Assumptions.abort(message);
    }
}
