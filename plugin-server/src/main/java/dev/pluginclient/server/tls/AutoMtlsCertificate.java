package dev.pluginclient.server.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed certificate and its private key of the kind go-plugin's AutoMTLS generates on both
 * sides: ECDSA P-521, SHA512withECDSA, CN=localhost, O=HashiCorp, SAN DNS localhost, CA:true,
 * key usage digitalSignature, keyEncipherment, keyAgreement and keyCertSign, extended key usage
 * serverAuth and clientAuth, valid from 30 seconds ago for 30 years, random 128-bit serial.
 *
 * <p>Hosts dial with server name {@code localhost} and trust exactly this leaf, which the plugin
 * sends in the sixth handshake field.
 */
public final class AutoMtlsCertificate {

    private static final Duration BACKDATE = Duration.ofSeconds(30);
    private static final Duration VALIDITY = Duration.ofDays(30L * 365);

    private final X509Certificate certificate;
    private final PrivateKey privateKey;

    private AutoMtlsCertificate(X509Certificate certificate, PrivateKey privateKey) {
        this.certificate = certificate;
        this.privateKey = privateKey;
    }

    /** Generates a new key pair and certificate. Takes a few tens of milliseconds for P-521. */
    public static AutoMtlsCertificate generate() throws GeneralSecurityException {
        SecureRandom random = new SecureRandom();
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp521r1"), random);
        KeyPair keyPair = generator.generateKeyPair();

        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "HashiCorp")
                .addRDN(BCStyle.CN, "localhost")
                .build();
        Instant now = Instant.now();
        BigInteger serial = new BigInteger(128, random);

        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    subject, serial, Date.from(now.minus(BACKDATE)), Date.from(now.plus(VALIDITY)),
                    subject, keyPair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature
                    | KeyUsage.keyEncipherment | KeyUsage.keyAgreement | KeyUsage.keyCertSign));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, "localhost")));

            ContentSigner signer = new JcaContentSignerBuilder("SHA512withECDSA").build(keyPair.getPrivate());
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(builder.build(signer));
            return new AutoMtlsCertificate(certificate, keyPair.getPrivate());
        } catch (IOException | OperatorCreationException e) {
            throw new GeneralSecurityException("failed to build the AutoMTLS certificate", e);
        }
    }

    /**
     * Parses the PEM certificates in {@code pem}, as a host passes them in {@code PLUGIN_CLIENT_CERT}.
     *
     * @throws CertificateException when the text contains no certificate or an invalid one
     */
    public static List<X509Certificate> parsePem(String pem) throws CertificateException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        Collection<? extends java.security.cert.Certificate> parsed =
                factory.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        if (parsed.isEmpty()) {
            throw new CertificateException("no PEM certificate found");
        }
        return parsed.stream().map(X509Certificate.class::cast).toList();
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    /** Returns the DER bytes as unpadded standard base64, the form of the sixth handshake field. */
    public String toHandshakeField() {
        try {
            return Base64.getEncoder().withoutPadding().encodeToString(certificate.getEncoded());
        } catch (CertificateException e) {
            throw new IllegalStateException("failed to encode a certificate that was just generated", e);
        }
    }

    /** Returns the certificate as PEM, the form hosts put in {@code PLUGIN_CLIENT_CERT}. */
    public String toPem() {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(certificate);
        } catch (IOException e) {
            throw new IllegalStateException("failed to write a certificate as PEM", e);
        }
        return text.toString();
    }
}
