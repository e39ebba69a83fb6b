package dev.pluginclient.server;

import dev.pluginclient.server.tls.AutoMtlsCertificate;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettySslContextChannelCredentials;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/** Plain grpc-java channels to a plugin, as a host would open them. */
final class Channels {

    private static final EpollEventLoopGroup EVENT_LOOP = new EpollEventLoopGroup(1);

    private Channels() {
    }

    static ManagedChannel plaintext(Handshake handshake) {
        return builder(handshake, InsecureChannelCredentials.create()).build();
    }

    /** Opens a TLS channel that trusts the certificate from the handshake and presents {@code client}, if any. */
    static ManagedChannel autoMtls(Handshake handshake, AutoMtlsCertificate client) throws Exception {
        return builder(handshake, tls(serverCertificate(handshake), client)).overrideAuthority("localhost").build();
    }

    static X509Certificate serverCertificate(Handshake handshake) throws Exception {
        byte[] der = Base64.getDecoder().decode(handshake.certificate());
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    }

    private static ChannelCredentials tls(X509Certificate server, AutoMtlsCertificate client) throws SSLException {
        SslContextBuilder ssl = SslContextBuilder.forClient().trustManager(server);
        if (client != null) {
            ssl.keyManager(client.privateKey(), client.certificate());
        }
        GrpcSslContexts.configure(ssl, SslProvider.JDK);
        return NettySslContextChannelCredentials.create(ssl.build());
    }

    private static NettyChannelBuilder builder(Handshake handshake, ChannelCredentials credentials) {
        if (handshake.network().equals("unix")) {
            return NettyChannelBuilder.forAddress(new DomainSocketAddress(handshake.address()), credentials)
                    .channelType(EpollDomainSocketChannel.class)
                    .eventLoopGroup(EVENT_LOOP);
        }
        String[] hostPort = handshake.address().split(":");
        return NettyChannelBuilder.forAddress(hostPort[0], Integer.parseInt(hostPort[1]), credentials);
    }

    static void close(ManagedChannel channel) throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
    }
}
