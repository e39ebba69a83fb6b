package dev.pluginclient.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A fresh key pair and self-signed certificate for one plugin start, shaped like go-plugin's
 * AutoMTLS certificates (mtls.go): ECDSA P-521 signed with SHA-512, CN and DNS name
 * {@code localhost}, a CA flag, client and server auth, valid from 30 seconds ago for 30 years.
 * Go plugins check nothing beyond the pinned certificate, but this shape keeps strict TLS stacks
 * content too.
 *
 * @param certificate the certificate sent to the plugin in {@code PLUGIN_CLIENT_CERT}
 * @param privateKey its key; never logged or written to disk
 */
public record AutoMtlsIdentity(X509Certificate certificate, PrivateKey privateKey) {

    private static final Duration BACKDATE = Duration.ofSeconds(30);
    private static final Duration VALIDITY = Duration.ofHours(262_980);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Generates a new identity; takes tens of milliseconds because of the P-521 key. */
    public static AutoMtlsIdentity generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp521r1"), RANDOM);
            KeyPair keyPair = generator.generateKeyPair();

            Instant now = Instant.now();
            X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE)
                    .addRDN(BCStyle.O, "HashiCorp")
                    .addRDN(BCStyle.CN, "localhost");
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject.build(),
                    new BigInteger(128, RANDOM), Date.from(now.minus(BACKDATE)), Date.from(now.plus(VALIDITY)),
                    subject.build(), keyPair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature
                    | KeyUsage.keyEncipherment | KeyUsage.keyAgreement | KeyUsage.keyCertSign));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth}));
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, "localhost")));

            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA512withECDSA").build(keyPair.getPrivate())));
            return new AutoMtlsIdentity(certificate, keyPair.getPrivate());
        } catch (GeneralSecurityException | OperatorCreationException | IOException failure) {
            throw new IllegalStateException("could not generate the AutoMTLS certificate: " + failure.getMessage(),
                    failure);
        }
    }

    /** The certificate as PEM, the form go-plugin expects in {@code PLUGIN_CLIENT_CERT}. */
    public String certificatePem() {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(certificate);
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return "AutoMtlsIdentity[subject=" + certificate.getSubjectX500Principal() + ", key=<redacted>]";
    }
}
