package dev.pluginclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pluginclient.process.OrphanReaper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input table: every way a start can go wrong yields a typed exception that names the value
 * at fault, and leaves no process behind. The "plugins" are small shell scripts started as real
 * processes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LaunchFailuresTest {

    private static final String COOKIE_KEY = "TEST_PLUGIN_COOKIE";
    private static final String COOKIE_VALUE = "s3cret-cookie-value";

    // A real certificate, base64 without padding, for the "valid certificate field" shape.
    private static final String VALID_CERT_FIELD = java.util.Base64.getEncoder().withoutPadding()
            .encodeToString(encoded(dev.pluginclient.tls.AutoMtlsIdentity.generate().certificate()));

    @TempDir
    Path directory;

    @AfterEach
    void noProcessLeftBehind() throws InterruptedException {
        long watchdog = OrphanReaper.instance().watchdogPid();
        long deadline = System.currentTimeMillis() + 5000;
        List<ProcessHandle> left;
        do {
            left = ProcessHandle.current().children()
                    .filter(child -> child.pid() != watchdog)
                    .filter(ProcessHandle::isAlive)
                    .toList();
            if (left.isEmpty()) {
                return;
            }
            Thread.sleep(50);
        } while (System.currentTimeMillis() < deadline);
        assertThat(left).as("child processes left behind").isEmpty();
    }

    @Test
    void missingExecutable() {
        PluginConfig config = config(List.of(directory.resolve("no-such-plugin").toString()));

        PluginConfigurationException failure = catchThrowableOfType(PluginConfigurationException.class,
                () -> PluginLauncher.connect(config));

        assertThat(failure.code()).isEqualTo(ErrorCode.EXECUTABLE_NOT_FOUND);
        assertThat(failure.getMessage()).contains("no-such-plugin").contains("test-plugin");
        assertThat(failure.hint()).isNotBlank();
    }

    @Test
    void missingExecutableOnPath() {
        PluginConfig config = config(List.of("no-such-plugin-on-path"));

        PluginConfigurationException failure = catchThrowableOfType(PluginConfigurationException.class,
                () -> PluginLauncher.connect(config));

        assertThat(failure.code()).isEqualTo(ErrorCode.EXECUTABLE_NOT_FOUND);
        assertThat(failure.getMessage()).contains("no-such-plugin-on-path").contains("PATH");
    }

    @Test
    void notExecutable() throws IOException {
        Path file = directory.resolve("not-executable");
        Files.writeString(file, "#!/bin/sh\necho hi\n");

        PluginConfigurationException failure = catchThrowableOfType(PluginConfigurationException.class,
                () -> PluginLauncher.connect(config(List.of(file.toString()))));

        assertThat(failure.code()).isEqualTo(ErrorCode.EXECUTABLE_NOT_RUNNABLE);
        assertThat(failure.getMessage()).contains(file.toString()).contains("not executable");
        assertThat(failure.hint()).contains("chmod +x");
    }

    @Test
    void exitsBeforeHandshake() throws IOException {
        Path plugin = script("echo 'loading config failed: /etc/plugin.conf missing' >&2\nexit 3");

        PluginHandshakeException failure = catchThrowableOfType(PluginHandshakeException.class,
                () -> PluginLauncher.connect(config(List.of(plugin.toString()))));

        assertThat(failure.code()).isEqualTo(ErrorCode.EXITED_BEFORE_HANDSHAKE);
        assertThat(failure.getMessage()).contains("status 3").contains(plugin.toString());
        assertThat(failure.stderrTail()).contains("/etc/plugin.conf missing");
        assertThat(failure.getMessage()).contains("/etc/plugin.conf missing");
    }

    @Test
    void wrongCookie() throws IOException {
        // Behaves like go-plugin's server: checks the cookie and refuses with its well-known message.
        Path plugin = script("if [ \"$" + COOKIE_KEY + "\" != 'expected-by-plugin' ]; then\n"
                + "  echo 'This binary is a plugin. These are not meant to be executed directly.' >&2\n"
                + "  exit 1\nfi\nsleep 30");

        PluginHandshakeException failure = catchThrowableOfType(PluginHandshakeException.class,
                () -> PluginLauncher.connect(config(List.of(plugin.toString()))));

        assertThat(failure.code()).isEqualTo(ErrorCode.EXITED_BEFORE_HANDSHAKE);
        assertThat(failure.getMessage()).contains("status 1");
        assertThat(failure.hint()).contains("magic cookie").contains(COOKIE_KEY);
        assertThat(failure.getMessage()).doesNotContain(COOKIE_VALUE);
    }

    @Test
    void handshakeTimeout() throws IOException {
        Path plugin = script("echo 'starting up'\nsleep 30");
        PluginConfig config = config(List.of(plugin.toString())).toBuilder()
                .startTimeout(Duration.ofMillis(700)).build();

        PluginHandshakeException failure = catchThrowableOfType(PluginHandshakeException.class,
                () -> PluginLauncher.connect(config));

        assertThat(failure.code()).isEqualTo(ErrorCode.HANDSHAKE_TIMEOUT);
        assertThat(failure.getMessage()).contains("700 ms").contains("'starting up'");
        assertThat(failure.hint()).contains("start-timeout");
    }

    @Test
    void garbageLineIsSkippedAndReported() throws IOException {
        Path plugin = script("echo 'Unrecognized banner from a logging library'\nexit 0");

        PluginHandshakeException failure = catchThrowableOfType(PluginHandshakeException.class,
                () -> PluginLauncher.connect(config(List.of(plugin.toString()))));

        assertThat(failure.code()).isEqualTo(ErrorCode.EXITED_BEFORE_HANDSHAKE);
        assertThat(failure.getMessage()).contains("'Unrecognized banner from a logging library'");
    }

    @Test
    void coreVersionTwo() throws IOException {
        assertRejected("2|1|unix|/tmp/x.sock|grpc|", PluginProtocolException.class,
                ErrorCode.INCOMPATIBLE_CORE_VERSION, "core protocol version 2");
    }

    @Test
    void appVersionNotOffered() throws IOException {
        assertRejected("1|7|unix|/tmp/x.sock|grpc|", PluginProtocolException.class,
                ErrorCode.INCOMPATIBLE_APP_VERSION, "version 7");
    }

    @Test
    void netRpcProtocol() throws IOException {
        assertRejected("1|1|unix|/tmp/x.sock|netrpc|", PluginProtocolException.class,
                ErrorCode.UNSUPPORTED_PROTOCOL, "netrpc");
    }

    @Test
    void missingProtocolFieldMeansNetRpc() throws IOException {
        assertRejected("1|1|unix|/tmp/x.sock", PluginProtocolException.class, ErrorCode.UNSUPPORTED_PROTOCOL,
                "netrpc");
    }

    @Test
    void unknownNetwork() throws IOException {
        assertRejected("1|1|udp|127.0.0.1:1234|grpc|", PluginProtocolException.class,
                ErrorCode.UNSUPPORTED_NETWORK, "'udp'");
    }

    @Test
    void invalidCertificateField() throws IOException {
        assertRejected("1|1|unix|/tmp/x.sock|grpc|not*base64!", PluginSecurityException.class,
                ErrorCode.INVALID_CERTIFICATE, "not*base64!");
    }

    @Test
    void base64ThatIsNoCertificate() throws IOException {
        assertRejected("1|1|unix|/tmp/x.sock|grpc|aGVsbG8gd29ybGQ", PluginSecurityException.class,
                ErrorCode.INVALID_CERTIFICATE, "aGVsbG8gd29ybGQ");
    }

    @Test
    void noCertificateUnderAutoMtls() throws IOException {
        Path plugin = script("echo '1|1|unix|/tmp/x.sock|grpc|'\nsleep 30");
        PluginConfig config = config(List.of(plugin.toString())).toBuilder().autoMtls(true).build();

        PluginSecurityException failure = catchThrowableOfType(PluginSecurityException.class,
                () -> PluginLauncher.connect(config));

        assertThat(failure.code()).isEqualTo(ErrorCode.MISSING_CERTIFICATE);
        assertThat(failure.getMessage()).contains("AutoMTLS");
        assertThat(failure.hint()).contains("auto-mtls");
    }

    @Test
    void nonLoopbackAddress() throws IOException {
        assertRejected("1|1|tcp|192.0.2.10:1234|grpc|", PluginSecurityException.class,
                ErrorCode.REMOTE_ADDRESS_REJECTED, "192.0.2.10:1234");
    }

    @Test
    void hostNameAddressIsNotLoopback() throws IOException {
        assertRejected("1|1|tcp|plugins.example.com:1234|grpc|", PluginSecurityException.class,
                ErrorCode.REMOTE_ADDRESS_REJECTED, "plugins.example.com:1234");
    }

    @Test
    void socketDirectoryPathTooLong() throws IOException {
        Path plugin = script("sleep 30");
        Path base = directory.resolve("a".repeat(60)).resolve("b".repeat(40));
        PluginConfig config = config(List.of(plugin.toString())).toBuilder().socketBaseDirectory(base).build();

        PluginConfigurationException failure = catchThrowableOfType(PluginConfigurationException.class,
                () -> PluginLauncher.connect(config));

        assertThat(failure.code()).isEqualTo(ErrorCode.SOCKET_PATH_TOO_LONG);
        assertThat(failure.getMessage()).contains(base.toString()).contains("107");
        assertThat(failure.hint()).contains("socket-directory");
    }

    @Test
    void checksumMismatch() throws IOException {
        Path plugin = script("sleep 30");
        Checksum wrong = Checksum.parse("sha256:" + "ab".repeat(32));
        PluginConfig config = config(List.of(plugin.toString())).toBuilder().checksum(wrong).build();

        PluginSecurityException failure = catchThrowableOfType(PluginSecurityException.class,
                () -> PluginLauncher.connect(config));

        assertThat(failure.code()).isEqualTo(ErrorCode.CHECKSUM_MISMATCH);
        assertThat(failure.getMessage()).contains(plugin.toString()).contains("ab".repeat(32));
    }

    @Test
    void tooFewFields() throws IOException {
        assertRejected("1|1|unix", PluginHandshakeException.class, ErrorCode.INVALID_HANDSHAKE, "1|1|unix");
    }

    @Test
    void cookieValueNeverInEnvironmentDump() throws IOException {
        // A plugin that echoes its environment to stderr before dying must not leak the cookie value.
        Path plugin = script("env >&2\nexit 2");

        PluginHandshakeException failure = catchThrowableOfType(PluginHandshakeException.class,
                () -> PluginLauncher.connect(config(List.of(plugin.toString()))));

        assertThat(failure.getMessage()).doesNotContain(COOKIE_VALUE);
    }

    @Test
    void emptyCommandIsAConfigurationError() {
        assertThatThrownBy(() -> config(List.of()))
                .isInstanceOf(PluginConfigurationException.class)
                .hasMessageContaining("'command'");
    }

    private <T extends PluginException> void assertRejected(String handshakeLine, Class<T> type, ErrorCode code,
            String valueAtFault) throws IOException {
        Path plugin = script("echo '" + handshakeLine + "'\nsleep 30");

        T failure = catchThrowableOfType(type, () -> PluginLauncher.connect(config(List.of(plugin.toString()))));

        assertThat(failure).as("exception for handshake '%s'", handshakeLine).isNotNull();
        assertThat(failure.code()).isEqualTo(code);
        assertThat(failure.getMessage()).contains(valueAtFault);
        assertThat(failure.hint()).isNotBlank();
    }

    private Path script(String body) throws IOException {
        Path file = Files.createTempFile(directory, "plugin", ".sh");
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    private static PluginConfig config(List<String> command) {
        return PluginConfig.builder("test-plugin")
                .command(command)
                .handshake(HandshakeConfig.of(COOKIE_KEY, COOKIE_VALUE, 1, 2))
                .startTimeout(Duration.ofSeconds(10))
                .build();
    }

    private static byte[] encoded(java.security.cert.X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (java.security.cert.CertificateEncodingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
