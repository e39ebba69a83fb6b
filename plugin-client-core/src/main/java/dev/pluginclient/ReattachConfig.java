package dev.pluginclient;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Where to find a plugin that is already running, so the host connects to it without starting a
 * process.
 *
 * @param network {@code unix} or {@code tcp}
 * @param address the socket path or {@code host:port}
 * @param protocol only {@code grpc} is supported
 * @param protocolVersion the app protocol version the plugin serves
 * @param serverCertificate the plugin's certificate to pin, or {@code null} for plaintext
 * @param clientCertificate the certificate to present when the plugin requires one, or {@code null}
 * @param clientKey the key of {@code clientCertificate}, or {@code null}
 * @param pid the plugin's process id, or 0 when unknown; with a pid the host watches the process
 * @param terminateOnStop whether stopping the client also shuts the plugin down and kills the pid
 */
public record ReattachConfig(String network, String address, String protocol, int protocolVersion,
        X509Certificate serverCertificate, X509Certificate clientCertificate, PrivateKey clientKey, long pid,
        boolean terminateOnStop) {

    public ReattachConfig {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(address, "address");
        protocol = protocol == null ? "grpc" : protocol;
    }

    public static ReattachConfig of(String network, String address) {
        return new ReattachConfig(network, address, "grpc", 1, null, null, null, 0, false);
    }

    public ReattachConfig withPid(long newPid) {
        return new ReattachConfig(network, address, protocol, protocolVersion, serverCertificate, clientCertificate,
                clientKey, newPid, terminateOnStop);
    }

    public ReattachConfig withProtocolVersion(int version) {
        return new ReattachConfig(network, address, protocol, version, serverCertificate, clientCertificate,
                clientKey, pid, terminateOnStop);
    }

    public ReattachConfig withTerminateOnStop(boolean terminate) {
        return new ReattachConfig(network, address, protocol, protocolVersion, serverCertificate, clientCertificate,
                clientKey, pid, terminate);
    }

    public ReattachConfig withTls(X509Certificate server, X509Certificate client, PrivateKey key) {
        return new ReattachConfig(network, address, protocol, protocolVersion, server, client, key, pid,
                terminateOnStop);
    }

    public OptionalLong pidIfKnown() {
        return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
    }

    @Override
    public String toString() {
        return "ReattachConfig[network=" + network + ", address=" + address + ", protocol=" + protocol
                + ", protocolVersion=" + protocolVersion + ", tls=" + (serverCertificate != null) + ", pid=" + pid
                + ", terminateOnStop=" + terminateOnStop + "]";
    }
}
