package dev.pluginclient.hardening;

import static dev.pluginclient.hardening.Plugins.calculator;
import static dev.pluginclient.hardening.Plugins.pair;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pluginclient.PluginClient;
import dev.pluginclient.PluginConfig;
import dev.pluginclient.PluginConnection;
import dev.pluginclient.PluginException;
import dev.pluginclient.PluginLauncher;
import dev.pluginclient.log.PluginLogRelay;
import dev.pluginclient.supervision.RestartPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * No secret reaches the host's log lines, exception messages or status: not the magic cookie value,
 * not the AutoMTLS client certificate the host hands over in {@code PLUGIN_CLIENT_CERT}, not the
 * values of environment variables set in {@link PluginConfig#environment()}.
 *
 * <p>The plugins are scripts that save their environment to a file, so the test has the exact
 * certificate of each start, and then either exec the calculator or print the environment on
 * stderr and exit.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SecretsTest {

    private static final String TOKEN_VARIABLE = "PLUGIN_API_TOKEN";
    // Base64 lines of a PEM body are 64 characters. The shorter last line still identifies the certificate.
    private static final int MIN_PEM_LINE_LENGTH = 16;

    @TempDir
    Path directory;

    private final String token = "tok-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16));

    @AfterEach
    void noProcessLeftBehind() throws InterruptedException {
        Plugins.assertNoPluginProcesses();
    }

    @Test
    void hostLogsNoSecretInFullCycle() throws Exception {
        Path dump = directory.resolve("cycle.env");
        Path script = Plugins.writeScript(directory, "cycle-plugin", "env > \"$ENV_DUMP\"", Plugins.execCalculator());
        PluginConfig config = Plugins.script("secret-cycle", script)
                .autoMtls(true)
                .environment(TOKEN_VARIABLE, token)
                .environment("ENV_DUMP", dump.toString())
                .build();

        List<String> texts = new ArrayList<>();
        try (LogCapture capture = LogCapture.everything(); JulCapture jul = new JulCapture()) {
            try (PluginConnection connection = PluginLauncher.connect(config)) {
                assertThat(calculator(connection.channel()).add(pair(20, 22)).getValue()).isEqualTo(42);
                assertThat(connection.checkHealth(Duration.ofSeconds(5))).isTrue();
                texts.add(connection.toString());
                texts.add(connection.stderrTail());
            }
            texts.add(config.toString());
            texts.add(capture.allText());
            texts.add(jul.allText());
        }

        assertNoSecret(String.join("\n", texts), secretsOf(dump), "full start, call and stop cycle");
    }

    @Test
    void failedStartLeaksNoCookie() throws Exception {
        FailedStart start = failStartWithEnvironmentDump("secret-failed-start");

        assertThat(start.texts()).as("failure texts").contains(Plugins.COOKIE_KEY + "=<redacted>");
        assertThat(start.texts()).as("failure texts").doesNotContain(Plugins.COOKIE_VALUE);
    }

    /**
     * The plugin's own output is relayed, and kept in the stderr tail that exception messages, the
     * supervisor's WARN and ERROR lines and {@code PluginStatus.lastError} repeat. A plugin that prints
     * its environment must not put the configured environment values or the host's certificate into
     * any of them.
     */
    @Test
    void failedStartLeaksNoSecret() throws Exception {
        FailedStart start = failStartWithEnvironmentDump("secret-relayed");

        assertNoSecret(start.hostLogText(), start.secrets(), "host log lines of a failed start");
        assertNoSecret(start.texts(), start.secrets(), "relayed output, messages and status of a failed start");
    }

    private FailedStart failStartWithEnvironmentDump(String name) throws IOException {
        Path dump = directory.resolve(name + ".env");
        Path script = Plugins.writeScript(directory, name,
                "env > \"$ENV_DUMP\"",
                "env >&2",
                "echo \"token again: $" + TOKEN_VARIABLE + "\" >&2",
                "exit 3");
        PluginConfig config = Plugins.script(name, script)
                .autoMtls(true)
                .environment(TOKEN_VARIABLE, token)
                .environment("ENV_DUMP", dump.toString())
                .build();

        List<Path> dumps = new ArrayList<>(List.of(dump));
        List<String> texts = new ArrayList<>();
        String hostLogText;
        try (LogCapture capture = LogCapture.everything();
                LogCapture relay = new LogCapture(PluginLogRelay.loggerName(name), ch.qos.logback.classic.Level.TRACE,
                        false);
                JulCapture jul = new JulCapture()) {
            PluginException failure = catchThrowableOfType(PluginException.class,
                    () -> PluginLauncher.connect(config));
            assertThat(failure).as("start of a plugin that exits").isNotNull();
            for (Throwable current = failure; current != null; current = current.getCause()) {
                texts.add(current.toString());
            }
            texts.add(failure.stderrTail());

            Path clientDump = directory.resolve(name + "-client.env");
            dumps.add(clientDump);
            PluginConfig clientConfig = config.toBuilder().environment("ENV_DUMP", clientDump.toString()).build();
            PluginClient client = PluginClient.builder(clientConfig).restart(RestartPolicy.disabled()).build();
            try {
                catchThrowableOfType(PluginException.class, client::start);
                texts.add(client.status().toString());
                texts.add(String.valueOf(client.status().lastError()));
            } finally {
                client.stop();
            }
            texts.add(capture.allText());
            texts.add(jul.allText());
            hostLogText = capture.events().stream()
                    .filter(event -> !event.loggerName().startsWith(PluginLogRelay.LOGGER_PREFIX))
                    .map(event -> event.loggerName() + " " + event.message())
                    .reduce("", (left, right) -> left + "\n" + right) + "\n" + jul.allText();
        }
        List<String> secrets = new ArrayList<>();
        for (Path each : dumps) {
            secrets.addAll(secretsOf(each));
        }
        return new FailedStart(String.join("\n", texts), hostLogText, secrets);
    }

    private record FailedStart(String texts, String hostLogText, List<String> secrets) {
    }

    /** Returns the cookie value, the token and every line of the certificate body the plugin received. */
    private List<String> secretsOf(Path dump) throws IOException {
        List<String> secrets = new ArrayList<>(List.of(Plugins.COOKIE_VALUE, token));
        boolean inCertificate = false;
        for (String line : Files.readAllLines(dump, StandardCharsets.UTF_8)) {
            if (line.startsWith("PLUGIN_CLIENT_CERT=-----BEGIN CERTIFICATE-----")) {
                inCertificate = true;
            } else if (line.startsWith("-----END CERTIFICATE-----")) {
                inCertificate = false;
            } else if (inCertificate && line.length() >= MIN_PEM_LINE_LENGTH) {
                secrets.add(line);
            }
        }
        assertThat(secrets).as("certificate lines found in the plugin's environment %s", dump).hasSizeGreaterThan(4);
        return secrets;
    }

    private static void assertNoSecret(String text, List<String> secrets, String what) {
        assertThat(text).as("captured text of the %s", what).isNotBlank();
        for (String secret : secrets) {
            assertThat(text.contains(secret)).as("%s contains the secret '%s...'", what, secret.substring(0, 6))
                    .isFalse();
        }
    }

    /** Captures java.util.logging records, which gRPC writes to. */
    private static final class JulCapture extends Handler implements AutoCloseable {

        private final java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        private final List<String> records = new ArrayList<>();

        JulCapture() {
            root.addHandler(this);
        }

        @Override
        public synchronized void publish(LogRecord record) {
            records.add(record.getLoggerName() + " " + record.getMessage() + " "
                    + (record.getThrown() == null ? "" : record.getThrown()));
        }

        synchronized String allText() {
            return String.join("\n", records);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            root.removeHandler(this);
        }
    }
}
