package dev.pluginclient.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly one certificate: the peer's leaf must be byte-for-byte the pinned one and within
 * its validity. Nothing signed by it, and no CA, is accepted. This is what AutoMTLS means: each
 * side trusts only the certificate the other handed over at start.
 */
public final class PinnedCertificateTrustManager extends X509ExtendedTrustManager {

    private final X509Certificate pinned;

    public PinnedCertificateTrustManager(X509Certificate pinned) {
        this.pinned = Objects.requireNonNull(pinned, "pinned");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[] {pinned};
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the peer presented no certificate");
        }
        if (!chain[0].equals(pinned)) {
            throw new CertificateException("the peer's certificate (subject " + chain[0].getSubjectX500Principal()
                    + ", serial " + chain[0].getSerialNumber().toString(16)
                    + ") is not the certificate pinned at handshake (serial " + pinned.getSerialNumber().toString(16)
                    + ")");
        }
        chain[0].checkValidity();
    }
}
