package dev.pluginclient.tls;

import io.grpc.ChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettySslContextChannelCredentials;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;

/** Builds gRPC channel credentials for AutoMTLS. */
public final class TlsCredentials {

    private TlsCredentials() {
    }

    /**
     * Client credentials that present {@code clientCertificate} and trust only {@code serverCertificate}.
     *
     * <p>The JDK TLS provider is used on purpose: grpc-netty-shaded's default, BoringSSL, fails the
     * handshake with go-plugin's P-521 certificates.
     *
     * @param clientCertificate null to present none (reattaching to a plugin that does not require one)
     */
    public static ChannelCredentials forClient(X509Certificate serverCertificate, X509Certificate clientCertificate,
            PrivateKey clientKey) throws SSLException {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .trustManager(new PinnedCertificateTrustManager(serverCertificate))
                .protocols("TLSv1.3", "TLSv1.2");
        if (clientCertificate != null && clientKey != null) {
            builder.keyManager(clientKey, clientCertificate);
        }
        SslContext context = GrpcSslContexts.configure(builder, SslProvider.JDK).build();
        return NettySslContextChannelCredentials.create(context);
    }
}
