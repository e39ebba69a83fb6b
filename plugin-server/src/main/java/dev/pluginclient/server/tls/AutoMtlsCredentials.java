package dev.pluginclient.server.tls;

import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettySslContextServerCredentials;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;

/** Builds the gRPC server credentials for go-plugin's AutoMTLS. */
public final class AutoMtlsCredentials {

    private AutoMtlsCredentials() {
    }

    /**
     * Returns TLS 1.2+ server credentials that present {@code serverCertificate}, require a client
     * certificate and trust exactly {@code trustedClientCertificates}.
     *
     * <p>They use the JDK TLS provider because grpc-netty-shaded's BoringSSL cannot complete a
     * handshake with the P-521 keys that go-plugin hosts use.
     */
    public static ServerCredentials forServer(AutoMtlsCertificate serverCertificate,
            List<X509Certificate> trustedClientCertificates) throws SSLException {
        SslContextBuilder builder = SslContextBuilder
                .forServer(serverCertificate.privateKey(), serverCertificate.certificate())
                .trustManager(trustedClientCertificates.toArray(X509Certificate[]::new))
                .clientAuth(ClientAuth.REQUIRE);
        GrpcSslContexts.configure(builder, SslProvider.JDK);
        builder.protocols("TLSv1.3", "TLSv1.2");
        return NettySslContextServerCredentials.create(builder.build());
    }
}
