package dev.pluginclient.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Empty;
import dev.pluginclient.calculator.v1.BinaryRequest;
import dev.pluginclient.calculator.v1.CalculatorGrpc;
import dev.pluginclient.calculator.v1.FaultInjectionGrpc;
import dev.pluginclient.calculator.v1.FloodRequest;
import dev.pluginclient.protocol.GRPCControllerGrpc;
import dev.pluginclient.protocol.GRPCStdioGrpc;
import dev.pluginclient.protocol.StdioData;
import dev.pluginclient.server.tls.AutoMtlsCertificate;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Starts the test plugin as a child JVM and talks to it the way a go-plugin host does. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GoPluginServerProcessTest {

    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(15);

    @TempDir
    Path socketDir;

    private Map<String, String> hostEnv() {
        Map<String, String> env = new HashMap<>();
        env.put(TestPlugin.COOKIE_KEY, TestPlugin.COOKIE_VALUE);
        env.put("PLUGIN_PROTOCOL_VERSIONS", "1");
        env.put("PLUGIN_MIN_PORT", "10000");
        env.put("PLUGIN_MAX_PORT", "25000");
        env.put("PLUGIN_UNIX_SOCKET_DIR", socketDir.toString());
        return env;
    }

    private static PluginProcess startPlugin(Map<String, String> env) throws IOException {
        return PluginProcess.start(TestPlugin.class.getName(), env);
    }

    @Test
    void unixSocketServesHealthServiceAndShutdown() throws Exception {
        try (PluginProcess plugin = startPlugin(hostEnv())) {
            String line = plugin.readHandshake(HANDSHAKE_TIMEOUT);
            Handshake handshake = Handshake.parse(line);

            assertThat(line).endsWith("|grpc|");
            assertThat(handshake.coreVersion()).isEqualTo(1);
            assertThat(handshake.appVersion()).isEqualTo(1);
            assertThat(handshake.network()).isEqualTo("unix");
            Path socket = Path.of(handshake.address());
            assertThat(socket.getParent()).isEqualTo(socketDir);
            assertThat(socket.getFileName().toString()).matches("plugin\\d+");

            ManagedChannel channel = Channels.plaintext(handshake);
            try {
                assertThat(checkHealth(channel)).isEqualTo(ServingStatus.SERVING);
                assertThat(add(channel, 2, 3)).isEqualTo(5);

                GRPCControllerGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                        .shutdown(dev.pluginclient.protocol.Empty.getDefaultInstance());
            } finally {
                Channels.close(channel);
            }

            assertThat(plugin.awaitExit(EXIT_TIMEOUT)).isZero();
            assertThat(socket).doesNotExist();
            assertThat(plugin.stderr()).contains("\"@module\":\"test-plugin\"").contains("\"@level\":\"info\"");
        }
    }

    @Test
    void tcpListenerTakesPortFromRange() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Map<String, String> env = hostEnv();
        env.put("PLUGIN_TRANSPORT", "tcp");
        env.put("PLUGIN_MIN_PORT", Integer.toString(port));
        env.put("PLUGIN_MAX_PORT", Integer.toString(Math.min(65535, port + 10)));

        try (PluginProcess plugin = startPlugin(env)) {
            Handshake handshake = Handshake.parse(plugin.readHandshake(HANDSHAKE_TIMEOUT));

            assertThat(handshake.network()).isEqualTo("tcp");
            assertThat(handshake.address()).startsWith("127.0.0.1:");
            int chosen = Integer.parseInt(handshake.address().substring("127.0.0.1:".length()));
            assertThat(chosen).isBetween(port, port + 10);

            ManagedChannel channel = Channels.plaintext(handshake);
            try {
                assertThat(checkHealth(channel)).isEqualTo(ServingStatus.SERVING);
                assertThat(add(channel, 40, 2)).isEqualTo(42);
            } finally {
                Channels.close(channel);
            }
        }
    }

    @Test
    void autoMtlsRequiresTheHostCertificate() throws Exception {
        AutoMtlsCertificate host = AutoMtlsCertificate.generate();
        Map<String, String> env = hostEnv();
        env.put("PLUGIN_CLIENT_CERT", host.toPem());

        try (PluginProcess plugin = startPlugin(env)) {
            Handshake handshake = Handshake.parse(plugin.readHandshake(HANDSHAKE_TIMEOUT));

            assertThat(handshake.certificate()).hasSizeGreaterThan(50).doesNotContain("=");
            X509Certificate server = Channels.serverCertificate(handshake);
            assertThat(server.getSubjectX500Principal().getName()).contains("CN=localhost").contains("O=HashiCorp");
            assertThat(server.getSigAlgName()).isEqualTo("SHA512withECDSA");
            assertThat(server.getBasicConstraints()).isNotNegative();
            assertThat(server.getSubjectAlternativeNames()).anySatisfy(name -> assertThat(name.get(1)).isEqualTo("localhost"));

            ManagedChannel trusted = Channels.autoMtls(handshake, host);
            try {
                assertThat(checkHealth(trusted)).isEqualTo(ServingStatus.SERVING);
                assertThat(add(trusted, 1, 1)).isEqualTo(2);
            } finally {
                Channels.close(trusted);
            }

            ManagedChannel withoutCertificate = Channels.autoMtls(handshake, null);
            try {
                assertThatThrownBy(() -> checkHealth(withoutCertificate)).isInstanceOf(StatusRuntimeException.class);
            } finally {
                Channels.close(withoutCertificate);
            }

            ManagedChannel otherCertificate = Channels.autoMtls(handshake, AutoMtlsCertificate.generate());
            try {
                assertThatThrownBy(() -> checkHealth(otherCertificate)).isInstanceOf(StatusRuntimeException.class);
            } finally {
                Channels.close(otherCertificate);
            }
        }
    }

    @Test
    void missingCookieExitsWithStatusOne() throws Exception {
        Map<String, String> env = hostEnv();
        env.remove(TestPlugin.COOKIE_KEY);

        try (PluginProcess plugin = startPlugin(env)) {
            assertThat(plugin.awaitExit(EXIT_TIMEOUT)).isEqualTo(1);
            assertThat(plugin.stderr()).contains("This binary is a plugin. These are not meant to be executed directly.");
        }
    }

    @Test
    void wrongCookieExitsWithStatusOne() throws Exception {
        Map<String, String> env = hostEnv();
        env.put(TestPlugin.COOKIE_KEY, "not-the-cookie");

        try (PluginProcess plugin = startPlugin(env)) {
            assertThat(plugin.awaitExit(EXIT_TIMEOUT)).isEqualTo(1);
            assertThat(plugin.stderr()).contains("This binary is a plugin.").doesNotContain(TestPlugin.COOKIE_VALUE);
        }
    }

    @Test
    void versionNegotiationPicksHighestCommonVersion() throws Exception {
        assertThat(negotiatedVersion("1,2,3", "1,2")).isEqualTo(2);
        assertThat(negotiatedVersion("1,2,3", "4,5")).isEqualTo(1);
        assertThat(negotiatedVersion("2,3", null)).isEqualTo(2);
    }

    private int negotiatedVersion(String pluginVersions, String hostVersions) throws Exception {
        Map<String, String> env = hostEnv();
        env.put("TEST_PLUGIN_VERSIONS", pluginVersions);
        if (hostVersions == null) {
            env.remove("PLUGIN_PROTOCOL_VERSIONS");
        } else {
            env.put("PLUGIN_PROTOCOL_VERSIONS", hostVersions);
        }
        try (PluginProcess plugin = startPlugin(env)) {
            return Handshake.parse(plugin.readHandshake(HANDSHAKE_TIMEOUT)).appVersion();
        }
    }

    @Test
    void minPortAboveMaxPortExitsWithMessage() throws Exception {
        Map<String, String> env = hostEnv();
        env.put("PLUGIN_TRANSPORT", "tcp");
        env.put("PLUGIN_MIN_PORT", "20000");
        env.put("PLUGIN_MAX_PORT", "19999");

        try (PluginProcess plugin = startPlugin(env)) {
            assertThat(plugin.awaitExit(EXIT_TIMEOUT)).isEqualTo(1);
            assertThat(plugin.stderr()).contains("PLUGIN_MIN_PORT (20000) is greater than PLUGIN_MAX_PORT (19999)");
        }
    }

    @Test
    void busyPortRangeExitsWithMessage() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String port = Integer.toString(busy.getLocalPort());
            Map<String, String> env = hostEnv();
            env.put("PLUGIN_TRANSPORT", "tcp");
            env.put("PLUGIN_MIN_PORT", port);
            env.put("PLUGIN_MAX_PORT", port);

            try (PluginProcess plugin = startPlugin(env)) {
                assertThat(plugin.awaitExit(EXIT_TIMEOUT)).isEqualTo(1);
                assertThat(plugin.stderr()).contains("no free TCP port on 127.0.0.1 between " + port + " and " + port);
            }
        }
    }

    @Test
    void floodWithoutStdioReaderKeepsServing() throws Exception {
        try (PluginProcess plugin = startPlugin(hostEnv())) {
            Handshake handshake = Handshake.parse(plugin.readHandshake(HANDSHAKE_TIMEOUT));
            ManagedChannel channel = Channels.plaintext(handshake);
            try {
                FaultInjectionGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                        .flood(FloodRequest.newBuilder().setStream(FloodRequest.Stream.STDOUT)
                                .setBytes(10L * 1024 * 1024).build());
                FaultInjectionGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                        .flood(FloodRequest.newBuilder().setStream(FloodRequest.Stream.STDERR)
                                .setBytes(1024 * 1024).build());

                assertThat(add(channel, 20, 22)).isEqualTo(42);
                assertThat(checkHealth(channel)).isEqualTo(ServingStatus.SERVING);
            } finally {
                Channels.close(channel);
            }
            assertThat(plugin.process().isAlive()).isTrue();
            assertThat(plugin.stderr()).contains("dropping plugin stdout/stderr output");
        }
    }

    @Test
    void stdioStreamDeliversOutput() throws Exception {
        try (PluginProcess plugin = startPlugin(hostEnv())) {
            Handshake handshake = Handshake.parse(plugin.readHandshake(HANDSHAKE_TIMEOUT));
            ManagedChannel channel = Channels.plaintext(handshake);
            try {
                Iterator<StdioData> stdio = GRPCStdioGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(20, TimeUnit.SECONDS)
                        .streamStdio(Empty.getDefaultInstance());
                FaultInjectionGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .flood(FloodRequest.newBuilder().setStream(FloodRequest.Stream.STDERR).setBytes(300).build());

                long received = 0;
                while (received < 300) {
                    StdioData data = stdio.next();
                    assertThat(data.getChannel()).isEqualTo(StdioData.Channel.STDERR);
                    assertThat(data.getData().toString(StandardCharsets.UTF_8)).matches("[x\\n]+");
                    received += data.getData().size();
                }
                assertThat(received).isEqualTo(300);
            } finally {
                Channels.close(channel);
            }
        }
    }

    @Test
    void closedStdinStopsPlugin() throws Exception {
        Map<String, String> env = hostEnv();
        env.put("PLUGIN_CLIENT_STDIN_LIFELINE", "1");
        try (PluginProcess plugin = startPlugin(env)) {
            Handshake handshake = Handshake.parse(plugin.readHandshake(HANDSHAKE_TIMEOUT));

            plugin.process().getOutputStream().close();

            assertThat(plugin.awaitExit(EXIT_TIMEOUT)).isZero();
            assertThat(Path.of(handshake.address())).doesNotExist();
            assertThat(plugin.stderr()).contains("host process is gone").contains("stdin reached end of file");
        }
    }

    @Test
    void closedStdinIgnoredWithoutLifeline() throws Exception {
        // go-plugin's Go host passes its own stdin, which may be closed long before the host exits.
        try (PluginProcess plugin = startPlugin(hostEnv())) {
            Handshake.parse(plugin.readHandshake(HANDSHAKE_TIMEOUT));

            plugin.process().getOutputStream().close();

            assertThat(plugin.process().waitFor(2, java.util.concurrent.TimeUnit.SECONDS)).isFalse();
        }
    }

    @Test
    void sigtermRemovesSocketFile() throws Exception {
        try (PluginProcess plugin = startPlugin(hostEnv())) {
            Handshake handshake = Handshake.parse(plugin.readHandshake(HANDSHAKE_TIMEOUT));
            assertThat(Files.exists(Path.of(handshake.address()))).isTrue();

            plugin.process().destroy();

            assertThat(plugin.awaitExit(EXIT_TIMEOUT)).isEqualTo(143);
            assertThat(Path.of(handshake.address())).doesNotExist();
        }
    }

    private static ServingStatus checkHealth(ManagedChannel channel) {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService("plugin").build())
                .getStatus();
    }

    private static long add(ManagedChannel channel, long a, long b) {
        return CalculatorGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .add(BinaryRequest.newBuilder().setA(a).setB(b).build())
                .getValue();
    }
}
