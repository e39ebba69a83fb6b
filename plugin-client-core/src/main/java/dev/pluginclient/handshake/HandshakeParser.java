package dev.pluginclient.handshake;

import dev.pluginclient.ErrorCode;
import dev.pluginclient.PluginException;
import dev.pluginclient.PluginHandshakeException;
import dev.pluginclient.PluginProtocolException;
import dev.pluginclient.PluginSecurityException;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses and validates the handshake line a go-plugin plugin prints on stdout.
 *
 * <p>The rules follow go-plugin's host (client.go): core version 1; an app version the host
 * offered; network {@code unix} or {@code tcp}; protocol {@code grpc} (a missing fifth field
 * means net/rpc, which a Java host cannot speak); field 6, when present, is the plugin's
 * certificate as DER in standard base64 without padding; field 7 (multiplexing) is only sent when
 * the host asks for it, which this host does not. The Go server always prints field 6, so a line
 * without AutoMTLS ends in an empty field.
 */
public final class HandshakeParser {

    /** The only core protocol version go-plugin has ever used. */
    public static final int CORE_PROTOCOL_VERSION = 1;

    // Digits, a bar, digits, a bar: the start of every handshake line. Lines that do not start so are
    // ordinary output that a plugin or its runtime printed before the handshake.
    private static final Pattern HANDSHAKE_SHAPE = Pattern.compile("^\\s*\\d+\\|\\d*\\|.*");

    private static final Pattern IPV4_LITERAL = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

    // Longer values are cut in messages: a hostile plugin may print megabytes on one line.
    private static final int MAX_QUOTED_LENGTH = 120;

    private HandshakeParser() {
    }

    /** Tells whether a stdout line looks like a handshake line (and should be parsed as one). */
    public static boolean looksLikeHandshake(String line) {
        return line != null && line.length() < 65_536 && HANDSHAKE_SHAPE.matcher(line).matches();
    }

    /**
     * Parses one handshake line.
     *
     * @param pluginName for error messages
     * @param line the line without its line break
     * @param offeredVersions the app protocol versions the host offered
     * @param autoMtls whether the host sent a client certificate and so requires one back
     * @param allowRemoteAddresses whether a TCP address that is not loopback is accepted
     * @throws PluginException a handshake, protocol or security exception naming the field at fault
     */
    public static Handshake parse(String pluginName, String line, Set<Integer> offeredVersions, boolean autoMtls,
            boolean allowRemoteAddresses) {
        String trimmed = line == null ? "" : line.strip();
        String[] fields = trimmed.split("\\|", -1);
        if (fields.length == 8 && fields[7].isEmpty()) {
            fields = Arrays.copyOf(fields, 7);
        }
        if (fields.length < 4 || fields.length > 7) {
            throw new PluginHandshakeException(pluginName, ErrorCode.INVALID_HANDSHAKE,
                    "invalid handshake line '" + quote(trimmed) + "': expected 4 to 7 fields separated by '|', got "
                            + fields.length,
                    "a go-plugin plugin prints core|app|network|address|protocol|cert on its first handshake line; "
                            + "check that the command starts a go-plugin plugin");
        }

        int coreVersion = parseVersion(pluginName, fields[0], "core protocol version", trimmed);
        if (coreVersion != CORE_PROTOCOL_VERSION) {
            throw new PluginProtocolException(pluginName, ErrorCode.INCOMPATIBLE_CORE_VERSION,
                    "incompatible core protocol version " + coreVersion + " in handshake '" + quote(trimmed)
                            + "': this host speaks core version " + CORE_PROTOCOL_VERSION,
                    "the plugin was built with an incompatible go-plugin library; rebuild it against go-plugin 1.x");
        }

        int appVersion = parseVersion(pluginName, fields[1], "app protocol version", trimmed);
        if (!offeredVersions.contains(appVersion)) {
            throw new PluginProtocolException(pluginName, ErrorCode.INCOMPATIBLE_APP_VERSION,
                    "incompatible app protocol version " + appVersion + ": the host offered " + offeredVersions,
                    "add " + appVersion + " to handshake.protocol-versions if the host supports it, "
                            + "or use a plugin build that serves one of " + offeredVersions);
        }

        String network = fields[2];
        if (!network.equals("unix") && !network.equals("tcp")) {
            throw new PluginProtocolException(pluginName, ErrorCode.UNSUPPORTED_NETWORK,
                    "unsupported network '" + quote(network) + "' in handshake: expected unix or tcp",
                    "the plugin must listen on a Unix socket or a loopback TCP port");
        }

        String address = fields[3];
        if (address.isEmpty()) {
            throw new PluginHandshakeException(pluginName, ErrorCode.INVALID_HANDSHAKE,
                    "the address field of handshake '" + quote(trimmed) + "' is empty",
                    "the plugin must print the socket path or host:port it listens on");
        }
        if (network.equals("tcp")) {
            checkTcpAddress(pluginName, address, allowRemoteAddresses);
        }

        String protocol = fields.length >= 5 ? fields[4] : "";
        if (protocol.isEmpty() || protocol.equals("netrpc")) {
            throw new PluginProtocolException(pluginName, ErrorCode.UNSUPPORTED_PROTOCOL,
                    "protocol '" + (protocol.isEmpty() ? "netrpc (no protocol field)" : protocol)
                            + "' is not supported: a Java host speaks only grpc",
                    "build the plugin with go-plugin's GRPCServer (ServeConfig.GRPCServer = plugin.DefaultGRPCServer)");
        }
        if (!protocol.equals("grpc")) {
            throw new PluginProtocolException(pluginName, ErrorCode.UNSUPPORTED_PROTOCOL,
                    "unsupported protocol '" + quote(protocol) + "' in handshake: expected grpc",
                    "the plugin must serve gRPC");
        }

        String certificateField = fields.length >= 6 ? fields[5] : "";
        X509Certificate certificate = certificateField.isEmpty() ? null
                : parseCertificate(pluginName, certificateField);
        if (autoMtls && certificate == null) {
            throw new PluginSecurityException(pluginName, ErrorCode.MISSING_CERTIFICATE,
                    "AutoMTLS is on but the plugin's handshake carries no certificate",
                    "the plugin ignores PLUGIN_CLIENT_CERT; use a plugin that supports AutoMTLS or set auto-mtls to false");
        }
        return new Handshake(coreVersion, appVersion, network, address, protocol, autoMtls ? certificate : null);
    }

    private static int parseVersion(String pluginName, String field, String what, String line) {
        try {
            String digits = field.strip();
            if (!digits.matches("-?[0-9]{1,9}")) {
                throw new NumberFormatException(digits);
            }
            return Integer.parseInt(digits);
        } catch (NumberFormatException notNumber) {
            throw new PluginHandshakeException(pluginName, ErrorCode.INVALID_HANDSHAKE,
                    "invalid " + what + " '" + quote(field) + "' in handshake '" + quote(line) + "'",
                    "the version fields of a handshake line are integers");
        }
    }

    private static void checkTcpAddress(String pluginName, String address, boolean allowRemoteAddresses) {
        int colon = address.lastIndexOf(':');
        String host = colon > 0 ? address.substring(0, colon) : "";
        String port = colon > 0 ? address.substring(colon + 1) : "";
        int portNumber;
        try {
            portNumber = Integer.parseInt(port);
        } catch (NumberFormatException notNumber) {
            portNumber = -1;
        }
        if (host.isEmpty() || portNumber < 1 || portNumber > 65535) {
            throw new PluginHandshakeException(pluginName, ErrorCode.INVALID_HANDSHAKE,
                    "invalid TCP address '" + quote(address) + "' in handshake: expected host:port",
                    "the plugin must print an address such as 127.0.0.1:10000");
        }
        if (!allowRemoteAddresses && !isLoopback(host)) {
            throw new PluginSecurityException(pluginName, ErrorCode.REMOTE_ADDRESS_REJECTED,
                    "the plugin asked the host to connect to '" + quote(address)
                            + "', which is not a loopback address",
                    "plugins serve on 127.0.0.1 or ::1; set allow-remote-addresses to true only if you trust "
                            + "the plugin to name another host");
        }
    }

    // Only "localhost", dotted-quad IPv4 literals and IPv6 literals count. Anything else, even a name
    // made of digits and hex letters, is treated as remote, so that parsing never queries a resolver and a
    // name cannot resolve to loopback now and elsewhere when the channel connects.
    private static boolean isLoopback(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (bare.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (IPV4_LITERAL.matcher(bare).matches()) {
            for (String octet : bare.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return false;
                }
            }
            return bare.startsWith("127.");
        }
        if (bare.contains(":") && bare.matches("[0-9a-fA-F:.]+")) {
            try {
                // The JDK parses a literal containing ':' without any name lookup.
                return InetAddress.getByName(bare).isLoopbackAddress();
            } catch (UnknownHostException invalid) {
                return false;
            }
        }
        return false;
    }

    private static X509Certificate parseCertificate(String pluginName, String field) {
        byte[] der;
        try {
            der = Base64.getDecoder().decode(field);
        } catch (IllegalArgumentException notBase64) {
            throw new PluginSecurityException(pluginName, ErrorCode.INVALID_CERTIFICATE,
                    "invalid certificate field '" + quote(field) + "' in handshake: not base64 (" + notBase64.getMessage()
                            + ")",
                    "field 6 must be the plugin's DER certificate in standard base64; check the plugin's AutoMTLS code",
                    null, notBase64);
        }
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            return (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException | RuntimeException notCertificate) {
            throw new PluginSecurityException(pluginName, ErrorCode.INVALID_CERTIFICATE,
                    "invalid certificate field '" + quote(field) + "' in handshake: not a DER X.509 certificate",
                    "field 6 must be the plugin's DER certificate in standard base64; check the plugin's AutoMTLS code",
                    null, notCertificate);
        }
    }

    /** Cuts long values and makes control characters visible, so a message stays one readable line. */
    static String quote(String value) {
        StringBuilder out = new StringBuilder();
        int limit = Math.min(value.length(), MAX_QUOTED_LENGTH);
        for (int index = 0; index < limit; index++) {
            char character = value.charAt(index);
            if (character < 0x20 || character == 0x7f) {
                out.append(String.format("\\u%04x", (int) character));
            } else {
                out.append(character);
            }
        }
        if (value.length() > MAX_QUOTED_LENGTH) {
            out.append("...(").append(value.length()).append(" characters)");
        }
        return out.toString();
    }
}
