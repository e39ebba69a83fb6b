package dev.pluginclient.handshake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pluginclient.ErrorCode;
import dev.pluginclient.PluginException;
import dev.pluginclient.PluginHandshakeException;
import dev.pluginclient.PluginProtocolException;
import dev.pluginclient.PluginSecurityException;
import dev.pluginclient.tls.AutoMtlsIdentity;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The accept and reject rules of {@link HandshakeParser}, one rule per test. */
class HandshakeParserTest {

    private static final String PLUGIN = "parser-test";
    // Sorted like HandshakeConfig's versions, so messages list them in a fixed order.
    private static final Set<Integer> OFFERED = new TreeSet<>(List.of(1, 2));
    private static final String SOCKET = "/tmp/pc-abc/plugin123";

    private static X509Certificate certificate;
    private static String unpaddedField;

    @BeforeAll
    static void generateCertificate() throws CertificateEncodingException {
        // A DER length that is not a multiple of 3 needs '=' padding in standard base64, so the
        // unpadded form differs from the padded one.
        do {
            certificate = AutoMtlsIdentity.generate().certificate();
        } while (certificate.getEncoded().length % 3 == 0);
        unpaddedField = Base64.getEncoder().withoutPadding().encodeToString(certificate.getEncoded());
    }

    private static Handshake parse(String line) {
        return HandshakeParser.parse(PLUGIN, line, OFFERED, false, false);
    }

    private static <T extends PluginException> T reject(Class<T> type, String line) {
        return catchThrowableOfType(type, () -> parse(line));
    }

    @Test
    void sixFieldsWithTrailingEmptyField() {
        Handshake handshake = parse("1|1|unix|" + SOCKET + "|grpc|");

        assertThat(handshake.coreVersion()).isEqualTo(1);
        assertThat(handshake.appVersion()).isEqualTo(1);
        assertThat(handshake.network()).isEqualTo("unix");
        assertThat(handshake.isUnix()).isTrue();
        assertThat(handshake.address()).isEqualTo(SOCKET);
        assertThat(handshake.protocol()).isEqualTo("grpc");
        assertThat(handshake.serverCertificate()).isNull();
    }

    @Test
    void fiveFieldsAccepted() {
        assertThat(parse("1|2|unix|" + SOCKET + "|grpc").appVersion()).isEqualTo(2);
    }

    @Test
    void fourFieldsMeanNetRpc() {
        PluginProtocolException failure = reject(PluginProtocolException.class, "1|1|unix|" + SOCKET);

        assertThat(failure.code()).isEqualTo(ErrorCode.UNSUPPORTED_PROTOCOL);
        assertThat(failure.reason()).contains("netrpc");
        assertThat(failure.hint()).contains("GRPCServer");
    }

    @Test
    void sevenFieldsWithMultiplexFlag() {
        assertThat(parse("1|1|unix|" + SOCKET + "|grpc||true").address()).isEqualTo(SOCKET);
        assertThat(parse("1|1|unix|" + SOCKET + "|grpc||false").address()).isEqualTo(SOCKET);
    }

    @Test
    void sevenFieldsWithTrailingBar() {
        assertThat(parse("1|1|unix|" + SOCKET + "|grpc||true|").protocol()).isEqualTo("grpc");
    }

    @Test
    void tooFewFieldsRejected() {
        PluginHandshakeException failure = reject(PluginHandshakeException.class, "1|1|unix");

        assertThat(failure.code()).isEqualTo(ErrorCode.INVALID_HANDSHAKE);
        assertThat(failure.reason()).contains("got 3");
        assertThat(failure.pluginName()).isEqualTo(PLUGIN);
    }

    @Test
    void tooManyFieldsRejected() {
        PluginHandshakeException eight = reject(PluginHandshakeException.class,
                "1|1|unix|" + SOCKET + "|grpc||true|extra");
        PluginHandshakeException nine = reject(PluginHandshakeException.class,
                "1|1|unix|" + SOCKET + "|grpc||true||");

        assertThat(eight.code()).isEqualTo(ErrorCode.INVALID_HANDSHAKE);
        assertThat(eight.reason()).contains("got 8");
        assertThat(nine.code()).isEqualTo(ErrorCode.INVALID_HANDSHAKE);
        assertThat(nine.reason()).contains("got 9");
    }

    @Test
    void surroundingWhitespaceIgnored() {
        assertThat(parse("  1|1|unix|" + SOCKET + "|grpc|\r").address()).isEqualTo(SOCKET);
        assertThat(parse("\t1|1|unix|" + SOCKET + "|grpc| \n").address()).isEqualTo(SOCKET);
    }

    @Test
    void nullLineRejected() {
        PluginHandshakeException failure = catchThrowableOfType(PluginHandshakeException.class,
                () -> HandshakeParser.parse(PLUGIN, null, OFFERED, false, false));

        assertThat(failure.code()).isEqualTo(ErrorCode.INVALID_HANDSHAKE);
    }

    @Test
    void unpaddedCertificateAccepted() {
        Handshake handshake = HandshakeParser.parse(PLUGIN, "1|1|unix|" + SOCKET + "|grpc|" + unpaddedField,
                OFFERED, true, false);

        assertThat(unpaddedField).doesNotEndWith("=");
        assertThat(handshake.serverCertificate()).isEqualTo(certificate);
    }

    @Test
    void paddedCertificateAccepted() throws CertificateEncodingException {
        String padded = Base64.getEncoder().encodeToString(certificate.getEncoded());

        Handshake handshake = HandshakeParser.parse(PLUGIN, "1|1|unix|" + SOCKET + "|grpc|" + padded, OFFERED,
                true, false);

        assertThat(padded).endsWith("=");
        assertThat(handshake.serverCertificate()).isEqualTo(certificate);
    }

    @Test
    void certificateIgnoredWithoutAutoMtls() {
        Handshake handshake = parse("1|1|unix|" + SOCKET + "|grpc|" + unpaddedField);

        assertThat(handshake.serverCertificate()).isNull();
    }

    @Test
    void missingCertificateWithAutoMtls() {
        PluginSecurityException failure = catchThrowableOfType(PluginSecurityException.class,
                () -> HandshakeParser.parse(PLUGIN, "1|1|unix|" + SOCKET + "|grpc|", OFFERED, true, false));

        assertThat(failure.code()).isEqualTo(ErrorCode.MISSING_CERTIFICATE);
        assertThat(failure.hint()).contains("PLUGIN_CLIENT_CERT");
    }

    @Test
    void certificateNotBase64() {
        PluginSecurityException failure = reject(PluginSecurityException.class,
                "1|1|unix|" + SOCKET + "|grpc|not*base64");

        assertThat(failure.code()).isEqualTo(ErrorCode.INVALID_CERTIFICATE);
        assertThat(failure.reason()).contains("not*base64").contains("not base64");
    }

    @Test
    void certificateFieldNotDer() {
        String field = Base64.getEncoder().withoutPadding().encodeToString("no certificate".getBytes());

        PluginSecurityException failure = reject(PluginSecurityException.class,
                "1|1|unix|" + SOCKET + "|grpc|" + field);

        assertThat(failure.code()).isEqualTo(ErrorCode.INVALID_CERTIFICATE);
        assertThat(failure.reason()).contains("not a DER X.509 certificate");
    }

    @Test
    void ipv4LoopbackAccepted() {
        assertThat(parse("1|1|tcp|127.0.0.1:10000|grpc|").address()).isEqualTo("127.0.0.1:10000");
        assertThat(parse("1|1|tcp|127.1.2.3:65535|grpc|").address()).isEqualTo("127.1.2.3:65535");
    }

    @Test
    void ipv6LoopbackAccepted() {
        Handshake handshake = parse("1|1|tcp|[::1]:10001|grpc|");

        assertThat(handshake.network()).isEqualTo("tcp");
        assertThat(handshake.isUnix()).isFalse();
        assertThat(handshake.address()).isEqualTo("[::1]:10001");
    }

    @Test
    void localhostAccepted() {
        assertThat(parse("1|1|tcp|localhost:10002|grpc|").address()).isEqualTo("localhost:10002");
        assertThat(parse("1|1|tcp|LOCALHOST:10002|grpc|").address()).isEqualTo("LOCALHOST:10002");
    }

    @Test
    void remoteAddressRejectedByDefault() {
        for (String address : new String[] {"10.1.2.3:1234", "192.168.0.1:80", "0.0.0.0:1234", "[2001:db8::1]:80",
                "[::]:1234", "example.org:443"}) {
            PluginSecurityException failure = reject(PluginSecurityException.class,
                    "1|1|tcp|" + address + "|grpc|");

            assertThat(failure).as("address %s", address).isNotNull();
            assertThat(failure.code()).as("address %s", address).isEqualTo(ErrorCode.REMOTE_ADDRESS_REJECTED);
            assertThat(failure.reason()).as("address %s", address).contains(address);
            assertThat(failure.hint()).as("address %s", address).contains("allow-remote-addresses");
        }
    }

    @Test
    void remoteAddressAllowedWhenConfigured() {
        Handshake handshake = HandshakeParser.parse(PLUGIN, "1|1|tcp|10.1.2.3:1234|grpc|", OFFERED, false, true);

        assertThat(handshake.address()).isEqualTo("10.1.2.3:1234");
    }

    @Test
    void invalidTcpAddressRejected() {
        for (String address : new String[] {"127.0.0.1", ":1234", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
                "127.0.0.1:-1", "127.0.0.1:http"}) {
            PluginHandshakeException failure = reject(PluginHandshakeException.class,
                    "1|1|tcp|" + address + "|grpc|");

            assertThat(failure).as("address '%s'", address).isNotNull();
            assertThat(failure.code()).as("address '%s'", address).isEqualTo(ErrorCode.INVALID_HANDSHAKE);
            assertThat(failure.hint()).as("address '%s'", address).contains("127.0.0.1:10000");
        }
    }

    @Test
    void emptyAddressRejected() {
        PluginHandshakeException failure = reject(PluginHandshakeException.class, "1|1|unix||grpc|");

        assertThat(failure.code()).isEqualTo(ErrorCode.INVALID_HANDSHAKE);
        assertThat(failure.reason()).contains("address field");
    }

    @Test
    void wrongCoreVersionRejected() {
        PluginProtocolException failure = reject(PluginProtocolException.class, "2|1|unix|" + SOCKET + "|grpc|");

        assertThat(failure.code()).isEqualTo(ErrorCode.INCOMPATIBLE_CORE_VERSION);
        assertThat(failure.reason()).contains("core protocol version 2");
    }

    @Test
    void appVersionNotOffered() {
        PluginProtocolException failure = reject(PluginProtocolException.class, "1|3|unix|" + SOCKET + "|grpc|");

        assertThat(failure.code()).isEqualTo(ErrorCode.INCOMPATIBLE_APP_VERSION);
        assertThat(failure.reason()).contains("3").contains("[1, 2]");
    }

    @Test
    void versionNotNumber() {
        for (String line : new String[] {"x|1|unix|" + SOCKET + "|grpc|", "1||unix|" + SOCKET + "|grpc|",
                "1|2147483648|unix|" + SOCKET + "|grpc|", "1|1.0|unix|" + SOCKET + "|grpc|"}) {
            PluginHandshakeException failure = reject(PluginHandshakeException.class, line);

            assertThat(failure).as("line %s", line).isNotNull();
            assertThat(failure.code()).as("line %s", line).isEqualTo(ErrorCode.INVALID_HANDSHAKE);
        }
    }

    @Test
    void negativeAppVersionNotOffered() {
        PluginProtocolException failure = reject(PluginProtocolException.class, "1|-1|unix|" + SOCKET + "|grpc|");

        assertThat(failure.code()).isEqualTo(ErrorCode.INCOMPATIBLE_APP_VERSION);
    }

    @Test
    void unknownNetworkRejected() {
        PluginProtocolException failure = reject(PluginProtocolException.class, "1|1|udp|" + SOCKET + "|grpc|");

        assertThat(failure.code()).isEqualTo(ErrorCode.UNSUPPORTED_NETWORK);
        assertThat(failure.reason()).contains("'udp'");
    }

    @Test
    void netRpcRejected() {
        PluginProtocolException failure = reject(PluginProtocolException.class, "1|1|unix|" + SOCKET + "|netrpc|");

        assertThat(failure.code()).isEqualTo(ErrorCode.UNSUPPORTED_PROTOCOL);
        assertThat(failure.reason()).contains("netrpc");
    }

    @Test
    void unknownProtocolRejected() {
        PluginProtocolException failure = reject(PluginProtocolException.class, "1|1|unix|" + SOCKET + "|http2|");

        assertThat(failure.code()).isEqualTo(ErrorCode.UNSUPPORTED_PROTOCOL);
        assertThat(failure.reason()).contains("'http2'");
    }

    @Test
    void longValueCutInMessage() {
        String network = "n".repeat(1_000_000);

        PluginProtocolException failure = reject(PluginProtocolException.class,
                "1|1|" + network + "|" + SOCKET + "|grpc|");

        assertThat(failure.reason()).contains("(1000000 characters)");
        assertThat(failure.getMessage().length()).isLessThan(1000);
    }

    @Test
    void controlCharactersVisibleInMessage() {
        PluginProtocolException failure = reject(PluginProtocolException.class,
                "1|1|un\u0000ix|" + SOCKET + "|grpc|");

        assertThat(failure.reason()).contains("un\\u0000ix").doesNotContain("\u0000");
    }

    @Test
    void handshakeShapeRecognized() {
        assertThat(HandshakeParser.looksLikeHandshake("1|1|unix|" + SOCKET + "|grpc|")).isTrue();
        assertThat(HandshakeParser.looksLikeHandshake("  1|1|tcp|127.0.0.1:1|grpc|")).isTrue();
        assertThat(HandshakeParser.looksLikeHandshake("1||")).isTrue();
    }

    @Test
    void ordinaryOutputNotHandshake() {
        assertThat(HandshakeParser.looksLikeHandshake(null)).isFalse();
        assertThat(HandshakeParser.looksLikeHandshake("")).isFalse();
        assertThat(HandshakeParser.looksLikeHandshake("starting plugin...")).isFalse();
        assertThat(HandshakeParser.looksLikeHandshake("2024/01/01 12:00:00 [INFO] ready")).isFalse();
        assertThat(HandshakeParser.looksLikeHandshake("a|1|unix|x|grpc|")).isFalse();
        assertThat(HandshakeParser.looksLikeHandshake("1|1|unix|" + "x".repeat(70_000) + "|grpc|")).isFalse();
    }
}
