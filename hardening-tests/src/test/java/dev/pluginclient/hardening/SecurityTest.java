package dev.pluginclient.hardening;

import static dev.pluginclient.hardening.Plugins.calculator;
import static dev.pluginclient.hardening.Plugins.pair;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pluginclient.Checksum;
import dev.pluginclient.ErrorCode;
import dev.pluginclient.PluginConfig;
import dev.pluginclient.PluginConnection;
import dev.pluginclient.PluginException;
import dev.pluginclient.PluginLauncher;
import dev.pluginclient.PluginSecurityException;
import dev.pluginclient.ReattachConfig;
import dev.pluginclient.server.tls.AutoMtlsCertificate;
import dev.pluginclient.server.tls.AutoMtlsCredentials;
import dev.pluginclient.tls.AutoMtlsIdentity;
import dev.pluginclient.transport.PluginChannels;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettySslContextChannelCredentials;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The host's security promises, checked against real plugin processes, sockets and TLS. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SecurityTest {

    @TempDir
    Path directory;

    @AfterEach
    void noProcessLeftBehind() throws InterruptedException {
        Plugins.assertNoPluginProcesses();
    }

    @Test
    void socketDirectoryIsPrivate() throws Exception {
        Path socketDirectory;
        try (PluginConnection connection = PluginLauncher.connect(Plugins.calculator("private-socket").build())) {
            assertThat(connection.transport()).isEqualTo("unix");
            // The plugin binds its socket in PLUGIN_UNIX_SOCKET_DIR, the directory the host made for this start.
            socketDirectory = Path.of(connection.address()).getParent();

            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(socketDirectory);
            assertThat(PosixFilePermissions.toString(permissions)).as("mode of %s", socketDirectory)
                    .isEqualTo("rwx------");
            assertThat(Files.getOwner(socketDirectory).getName()).as("owner of %s", socketDirectory)
                    .isEqualTo(System.getProperty("user.name"));
            assertThat(calculator(connection.channel()).add(pair(2, 3)).getValue()).isEqualTo(5);
        }
        assertThat(socketDirectory).as("socket directory after stop").doesNotExist();
    }

    @Test
    void pinnedCertificateRejectsOtherServer() throws Exception {
        AutoMtlsIdentity host = AutoMtlsIdentity.generate();
        AutoMtlsCertificate impostor = AutoMtlsCertificate.generate();
        AutoMtlsCertificate expectedPlugin = AutoMtlsCertificate.generate();
        Server server = startTlsServer(impostor, host);
        String address = "127.0.0.1:" + server.getPort();
        try {
            // The impostor's certificate is valid and the impostor accepts the host's. Only the pin distinguishes them.
            PluginException rejected = catchThrowableOfType(PluginException.class, () -> PluginLauncher.connect(
                    reattachConfig("impostor", address, expectedPlugin, host)));

            assertThat(rejected).as("reattach to a server with another certificate").isNotNull();
            assertThat(rejected.code()).isEqualTo(ErrorCode.REATTACH_FAILED);
            assertThat(hasCause(rejected, CertificateException.class) || hasCause(rejected, SSLException.class))
                    .as("TLS failure in the causes of %s", rejected).isTrue();

            ManagedChannel channel = PluginChannels.create("tcp", address, dev.pluginclient.tls.TlsCredentials
                    .forClient(expectedPlugin.certificate(), host.certificate(), host.privateKey()));
            try {
                StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
                        () -> io.grpc.health.v1.HealthGrpc.newBlockingStub(channel)
                                .withDeadlineAfter(10, TimeUnit.SECONDS)
                                .check(io.grpc.health.v1.HealthCheckRequest.newBuilder().setService("plugin").build()));
                assertThat(failure).as("health check through a channel pinned to another certificate").isNotNull();
                assertThat(failure.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
            } finally {
                channel.shutdownNow();
            }

            // The same server is accepted when the pin is its own certificate.
            try (PluginConnection accepted = PluginLauncher.connect(reattachConfig("impostor", address, impostor,
                    host))) {
                assertThat(accepted.checkHealth(Duration.ofSeconds(10))).isTrue();
                assertThat(accepted.transport()).isEqualTo("tcp+mtls");
            }
        } finally {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void javaPluginRejectsUnknownClient() throws Exception {
        try (PluginConnection connection = PluginLauncher.connect(
                Plugins.calculator("mtls-clients").autoMtls(true).build())) {
            assertThat(connection.transport()).isEqualTo("unix+mtls");
            assertThat(calculator(connection.channel()).add(pair(1, 1)).getValue()).isEqualTo(2);

            AutoMtlsIdentity stranger = AutoMtlsIdentity.generate();
            assertRejected(connection, trustingClient(stranger),
                    "a client with a certificate the plugin was not given");
            assertRejected(connection, trustingClient(null), "a TLS client without a certificate");
            assertRejected(connection, InsecureChannelCredentials.create(), "a plaintext client");

            assertThat(calculator(connection.channel()).add(pair(2, 2)).getValue())
                    .as("the host's own channel afterwards").isEqualTo(4);
        }
    }

    @Test
    void checksumCheckedOnEveryStart() throws Exception {
        Path script = Plugins.writeScript(directory, "checked-plugin", Plugins.execCalculator());
        Checksum checksum = Checksum.ofSha256(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(script)));
        PluginConfig config = Plugins.script("checksummed", script).checksum(checksum).build();

        try (PluginConnection first = PluginLauncher.connect(config)) {
            assertThat(calculator(first.channel()).add(pair(1, 2)).getValue()).isEqualTo(3);
        }

        Files.writeString(script, "# changed after the first start\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        PluginSecurityException mismatch = catchThrowableOfType(PluginSecurityException.class,
                () -> PluginLauncher.connect(config));

        assertThat(mismatch).as("second start after the executable changed").isNotNull();
        assertThat(mismatch.code()).isEqualTo(ErrorCode.CHECKSUM_MISMATCH);
        assertThat(mismatch.getMessage()).contains(script.toString()).contains(checksum.toString());
        assertThat(Plugins.pluginProcesses()).as("processes started despite the mismatch").isEmpty();
    }

    @Test
    void remoteHandshakeAddressRejected() throws Exception {
        for (String address : List.of("10.1.2.3:1234", "[2001:db8::1]:1234", "0.0.0.0:1234")) {
            Path script = Plugins.writeScript(directory, "remote-plugin",
                    "echo '1|1|tcp|" + address + "|grpc|'",
                    "exec sleep 30");

            PluginSecurityException failure = catchThrowableOfType(PluginSecurityException.class,
                    () -> PluginLauncher.connect(Plugins.script("remote", script).build()));

            assertThat(failure).as("start of a plugin that names %s", address).isNotNull();
            assertThat(failure.code()).as("error code for %s", address).isEqualTo(ErrorCode.REMOTE_ADDRESS_REJECTED);
            assertThat(failure.getMessage()).as("message for %s", address).contains(address);
            Plugins.assertNoPluginProcesses();
        }
    }

    private static PluginConfig reattachConfig(String name, String address, AutoMtlsCertificate pinned,
            AutoMtlsIdentity client) {
        return PluginConfig.builder(name)
                .reattach(ReattachConfig.of("tcp", address)
                        .withTls(pinned.certificate(), client.certificate(), client.privateKey()))
                .build();
    }

    /** Starts a gRPC server with a valid AutoMTLS certificate of its own that accepts the host's certificate. */
    private static Server startTlsServer(AutoMtlsCertificate certificate, AutoMtlsIdentity trustedClient)
            throws Exception {
        HealthStatusManager health = new HealthStatusManager();
        health.setStatus("plugin", ServingStatus.SERVING);
        return NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        AutoMtlsCredentials.forServer(certificate, List.of(trustedClient.certificate())))
                .addService(health.getHealthService())
                .build()
                .start();
    }

    /** TLS client credentials that trust any server and present {@code identity}, or no certificate when null. */
    private static ChannelCredentials trustingClient(AutoMtlsIdentity identity) throws SSLException {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .protocols("TLSv1.3", "TLSv1.2");
        if (identity != null) {
            builder.keyManager(identity.privateKey(), identity.certificate());
        }
        return NettySslContextChannelCredentials.create(GrpcSslContexts.configure(builder, SslProvider.JDK).build());
    }

    private static void assertRejected(PluginConnection connection, ChannelCredentials credentials, String client) {
        ManagedChannel channel = PluginChannels.create("unix", connection.address(), credentials);
        try {
            StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
                    () -> calculator(channel).add(pair(1, 2)));

            assertThat(failure).as("call from %s", client).isNotNull();
            assertThat(failure.getStatus().getCode()).as("status of the call from %s", client)
                    .isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
        } finally {
            channel.shutdownNow();
        }
    }

    private static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable current = failure; current != null; current = current.getCause()) {
            if (type.isInstance(current)) {
                return true;
            }
            if (current.getCause() == current) {
                break;
            }
        }
        return false;
    }
}
