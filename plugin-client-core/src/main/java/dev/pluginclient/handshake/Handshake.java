package dev.pluginclient.handshake;

import java.security.cert.X509Certificate;

/**
 * A parsed, validated handshake line: {@code core|app|network|address|protocol|cert[|mux]}.
 *
 * @param coreVersion go-plugin's core protocol version, always 1
 * @param appVersion the app protocol version the plugin chose among those offered
 * @param network {@code unix} or {@code tcp}
 * @param address the socket path, or {@code host:port}
 * @param protocol always {@code grpc}
 * @param serverCertificate the plugin's AutoMTLS certificate, or null when it sent none
 */
public record Handshake(int coreVersion, int appVersion, String network, String address, String protocol,
        X509Certificate serverCertificate) {

    public boolean isUnix() {
        return "unix".equals(network);
    }
}
