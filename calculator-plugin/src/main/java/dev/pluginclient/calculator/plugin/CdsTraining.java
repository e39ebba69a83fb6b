package dev.pluginclient.calculator.plugin;

import dev.pluginclient.calculator.v1.BinaryRequest;
import dev.pluginclient.calculator.v1.CalculatorGrpc;
import dev.pluginclient.calculator.v1.FaultInjectionGrpc;
import dev.pluginclient.calculator.v1.InfoRequest;
import dev.pluginclient.server.GoPluginServer;
import dev.pluginclient.server.RunningPlugin;
import dev.pluginclient.server.log.PluginLogger;
import dev.pluginclient.server.tls.AutoMtlsCertificate;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettySslContextChannelCredentials;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The training run for a JDK AppCDS archive: starts the plugin inside this JVM with AutoMTLS on a
 * Unix socket, calls it once as a host would, and stops. Run with
 * {@code -XX:ArchiveClassesAtExit=calculator-plugin.jsa}, the classes loaded here go into the
 * archive, which later starts load from with {@code -XX:SharedArchiveFile}.
 */
final class CdsTraining {

    private static final PluginLogger LOG = GoPluginServer.logger("calculator-cds-training");

    private CdsTraining() {
    }

    /** Returns the exit status: 0 when the plugin served a host call, 1 otherwise. */
    static int run() {
        Path socketDir = null;
        try {
            socketDir = Files.createTempDirectory("calculator-cds");
            AutoMtlsCertificate host = AutoMtlsCertificate.generate();
            Map<String, String> env = Map.of(
                    CalculatorPlugin.COOKIE_KEY, CalculatorPlugin.COOKIE_VALUE,
                    "PLUGIN_PROTOCOL_VERSIONS", "1",
                    "PLUGIN_UNIX_SOCKET_DIR", socketDir.toString(),
                    "PLUGIN_CLIENT_CERT", host.toPem());

            AtomicReference<RunningPlugin> running = new AtomicReference<>();
            RunningPlugin plugin = CalculatorPlugin.serverBuilder(env, running)
                    .environment(env)
                    .watchHost(false)
                    .exitHandler(status -> { })
                    .build()
                    .start();
            running.set(plugin);
            try {
                callAsHost(plugin, host);
            } finally {
                plugin.close();
            }
            LOG.info("CDS training run finished");
            return 0;
        } catch (Exception e) {
            LOG.error("CDS training run failed", "error", e);
            return 1;
        } finally {
            deleteQuietly(socketDir);
        }
    }

    private static void callAsHost(RunningPlugin plugin, AutoMtlsCertificate host) throws Exception {
        String[] fields = plugin.handshakeLine().split("\\|", -1);
        X509Certificate server = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(fields[5])));
        SslContextBuilder ssl = SslContextBuilder.forClient()
                .trustManager(server)
                .keyManager(host.privateKey(), host.certificate());
        GrpcSslContexts.configure(ssl, SslProvider.JDK);

        EpollEventLoopGroup eventLoop = new EpollEventLoopGroup(1);
        ManagedChannel channel = NettyChannelBuilder
                .forAddress(new DomainSocketAddress(fields[3]), NettySslContextChannelCredentials.create(ssl.build()))
                .channelType(EpollDomainSocketChannel.class)
                .eventLoopGroup(eventLoop)
                .overrideAuthority("localhost")
                .build();
        try {
            HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(GoPluginServer.HEALTH_SERVICE_NAME).build());
            CalculatorGrpc.CalculatorBlockingStub calculator =
                    CalculatorGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
            calculator.add(BinaryRequest.newBuilder().setA(1).setB(2).build());
            try {
                calculator.divide(BinaryRequest.newBuilder().setA(1).setB(0).build());
            } catch (StatusRuntimeException expected) {
                // Loads the error path as well.
            }
            FaultInjectionGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .info(InfoRequest.getDefaultInstance());
        } finally {
            channel.shutdownNow();
            channel.awaitTermination(5, TimeUnit.SECONDS);
            eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private static void deleteQuietly(Path directory) {
        if (directory == null) {
            return;
        }
        try (var entries = Files.list(directory)) {
            for (Path entry : entries.toList()) {
                Files.deleteIfExists(entry);
            }
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            // A leftover empty directory in the temporary directory does no harm.
        }
    }
}
