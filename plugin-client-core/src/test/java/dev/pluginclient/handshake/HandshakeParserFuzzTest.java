package dev.pluginclient.handshake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.pluginclient.PluginException;
import dev.pluginclient.tls.AutoMtlsIdentity;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Feeds {@link HandshakeParser} random and mutated handshake lines: every input must yield a
 * {@link Handshake} that satisfies the accept rules, or a {@link PluginException}, never another
 * exception and never a hang.
 *
 * <p>The seed is random unless {@code -Dfuzz.seed=<n>} is given, and every assertion message
 * contains it, so {@code mvn -pl plugin-client-core test -Dtest=HandshakeParserFuzzTest -Dfuzz.seed=<n>}
 * reproduces a failure. {@code -Dfuzz.iterations=<n>} changes the number of inputs.
 */
class HandshakeParserFuzzTest {

    private static final String PLUGIN = "fuzzed";
    private static final long SEED = Long.getLong("fuzz.seed", new SecureRandom().nextLong());
    private static final int ITERATIONS = Integer.getInteger("fuzz.iterations", 10_000);
    private static final int HUGE_LINE_CHARACTERS = 1 << 20;

    // A parse that takes this long is a hang, not a slow parse: a typical one takes microseconds.
    private static final long MAX_PARSE_NANOS = TimeUnit.SECONDS.toNanos(2);
    // Messages quote at most 120 characters of each value, so they stay short whatever the input.
    private static final int MAX_MESSAGE_LENGTH = 2000;

    private static final Pattern IPV4_LITERAL = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    private static final String[] NUMBERS = {"0", "1", "2", "-1", "+1", "01", "00000000001", "2147483647",
        "2147483648", "-2147483648", "-2147483649", "99999999999999999999999", "1e3", "0x1", " 1", "1 ",
        "\u0661", "\uff11", ""};
    private static final String[] NETWORKS = {"unix", "tcp", "UNIX", "udp", "tcp6", "", "unixgram", "tcp\u0000"};
    private static final String[] PROTOCOLS = {"grpc", "netrpc", "GRPC", "", "grpc ", "http", "grpc\u0000"};
    private static final String[] PIECES = {"|", "||", ":", "[", "]", "::1", "127.0.0.1", "localhost", "/", ".",
        "\u0000", "\r", "\n", "\t", " ", "\u0085", "\u2028", "\uFFFD", "\uD800", "\uDC00", "\uD83D\uDE00", "=", "+",
        "\\", "%", "%25", "é", "\u0661", "-", "A", "z", "9", "0"};

    private static List<String> validLines;
    private static String certificateField;

    @BeforeAll
    static void buildSeedLines() throws CertificateEncodingException {
        System.out.println("HandshakeParserFuzzTest seed: " + SEED + " (rerun with -Dfuzz.seed=" + SEED + ")");
        certificateField = Base64.getEncoder().withoutPadding()
                .encodeToString(AutoMtlsIdentity.generate().certificate().getEncoded());
        validLines = List.of(
                "1|1|unix|/tmp/pc-1x2y3z/plugin1234567|grpc|",
                "1|1|unix|/tmp/pc-1x2y3z/plugin1234567|grpc|" + certificateField,
                "1|2|unix|/tmp/pc-1x2y3z/plugin1234567|grpc",
                "1|1|tcp|127.0.0.1:10000|grpc|",
                "1|1|tcp|127.0.0.1:24999|grpc|" + certificateField,
                "1|1|tcp|[::1]:10001|grpc|",
                "1|1|tcp|localhost:10002|grpc|" + certificateField,
                "1|1|unix|/tmp/plugin|grpc||true",
                "1|1|tcp|10.0.0.1:1234|grpc|",
                "1|3|unix|/run/user/1000/plugin|grpc|");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyLineYieldsHandshakeOrPluginException() {
        Random random = new Random(SEED);
        int accepted = 0;
        int rejected = 0;

        for (int iteration = 0; iteration < ITERATIONS; iteration++) {
            String line = generateLine(random, iteration);
            Set<Integer> offered = offeredVersions(random);
            boolean autoMtls = random.nextBoolean();
            boolean allowRemote = random.nextInt(4) == 0;

            String context = "seed " + SEED + ", iteration " + iteration + ", autoMtls " + autoMtls
                    + ", allowRemote " + allowRemote + ", offered " + offered + ", line " + describe(line);
            long started = System.nanoTime();
            try {
                Handshake handshake = HandshakeParser.parse(PLUGIN, line, offered, autoMtls, allowRemote);
                checkAccepted(handshake, offered, autoMtls, allowRemote, context);
                accepted++;
            } catch (PluginException expected) {
                checkRejected(expected, context);
                rejected++;
            } catch (RuntimeException | Error unexpected) {
                throw new AssertionError("unexpected " + unexpected + " for " + context, unexpected);
            }
            long elapsed = System.nanoTime() - started;
            assertThat(elapsed).as("parse time in ns for %s", context).isLessThan(MAX_PARSE_NANOS);

            boolean shape;
            try {
                shape = HandshakeParser.looksLikeHandshake(line);
            } catch (RuntimeException | Error unexpected) {
                throw new AssertionError("looksLikeHandshake threw " + unexpected + " for " + context, unexpected);
            }
            if (shape) {
                assertThat(line.length()).as("length of a line taken as a handshake, %s", context)
                        .isLessThan(65_536);
            }
        }

        System.out.printf("HandshakeParserFuzzTest seed %d: %d accepted, %d rejected%n", SEED, accepted, rejected);
        assertThat(accepted).as("accepted lines (seed %d); the generator should still produce valid lines", SEED)
                .isGreaterThan(ITERATIONS / 100);
        assertThat(rejected).as("rejected lines (seed %d)", SEED).isGreaterThan(ITERATIONS / 2);
    }

    private static void checkAccepted(Handshake handshake, Set<Integer> offered, boolean autoMtls,
            boolean allowRemote, String context) {
        assertThat(handshake).as("handshake for %s", context).isNotNull();
        assertThat(handshake.coreVersion()).as("core version for %s", context).isEqualTo(1);
        assertThat(offered).as("offered versions contain the app version, %s", context)
                .contains(handshake.appVersion());
        assertThat(handshake.network()).as("network for %s", context).isIn("unix", "tcp");
        assertThat(handshake.protocol()).as("protocol for %s", context).isEqualTo("grpc");
        assertThat(handshake.address()).as("address for %s", context).isNotEmpty();
        if (autoMtls) {
            assertThat(handshake.serverCertificate()).as("certificate with AutoMTLS, %s", context).isNotNull();
        } else {
            assertThat(handshake.serverCertificate()).as("certificate without AutoMTLS, %s", context).isNull();
        }
        if (handshake.network().equals("tcp") && !allowRemote) {
            String address = handshake.address();
            String host = address.substring(0, address.lastIndexOf(':'));
            assertThat(isLoopbackLiteral(host)).as("loopback host '%s' for %s", host, context).isTrue();
        }
    }

    private static void checkRejected(PluginException failure, String context) {
        assertThat(failure.pluginName()).as("plugin name for %s", context).isEqualTo(PLUGIN);
        assertThat(failure.code()).as("error code for %s", context).isNotNull();
        assertThat(failure.hint()).as("hint for %s", context).isNotBlank();
        assertThat(failure.getMessage().length()).as("message length for %s", context)
                .isLessThanOrEqualTo(MAX_MESSAGE_LENGTH);
        String reason = failure.reason();
        for (int index = 0; index < reason.length(); index++) {
            char character = reason.charAt(index);
            if (character < 0x20 || character == 0x7f) {
                fail("control character U+%04X at %d in message '%s' for %s", (int) character, index, reason,
                        context);
            }
        }
    }

    // ---- input generation ----

    private static String generateLine(Random random, int iteration) {
        if (iteration % 500 == 499) {
            return hugeLine(random);
        }
        return switch (random.nextInt(10)) {
            case 0 -> randomFields(random);
            case 1 -> invalidUtf8(random);
            case 2 -> manyFields(random);
            case 3 -> replaceField(random, pick(random, validLines));
            default -> mutate(random, pick(random, validLines), 1 + random.nextInt(4));
        };
    }

    private static String mutate(Random random, String line, int mutations) {
        StringBuilder text = new StringBuilder(line);
        for (int step = 0; step < mutations; step++) {
            int position = text.isEmpty() ? 0 : random.nextInt(text.length() + 1);
            switch (random.nextInt(6)) {
                case 0 -> {
                    if (position < text.length()) {
                        text.setCharAt(position, randomCharacter(random));
                    }
                }
                case 1 -> text.insert(position, pick(random, PIECES));
                case 2 -> {
                    if (position < text.length()) {
                        text.delete(position, Math.min(text.length(), position + 1 + random.nextInt(8)));
                    }
                }
                case 3 -> text.append('|').append(randomText(random, random.nextInt(20)));
                case 4 -> {
                    if (position < text.length()) {
                        int end = Math.min(text.length(), position + 1 + random.nextInt(40));
                        text.insert(position, text.substring(position, end));
                    }
                }
                default -> text.insert(position, randomCharacter(random));
            }
        }
        return text.toString();
    }

    private static String replaceField(Random random, String line) {
        String[] fields = line.split("\\|", -1);
        int index = random.nextInt(fields.length);
        fields[index] = switch (index) {
            case 0, 1 -> pick(random, NUMBERS);
            case 2 -> pick(random, NETWORKS);
            case 3 -> pick(random, new String[] {"127.0.0.1:" + pick(random, NUMBERS), "[::1]:" + pick(random, NUMBERS),
                "[::1]", "::1:80", "[::1:80", "::1]:80", "[0:0:0:0:0:0:0:1]:9", "[::ffff:127.0.0.1]:9", "localhost:",
                "10.0.0.1:99", "[fe80::1%lo]:80", "0.0.0.0:1", "2130706433:80", "127.1:80", "", "/", "\u0000"});
            case 4 -> pick(random, PROTOCOLS);
            case 5 -> pick(random, new String[] {"", certificateField, certificateField + "==",
                certificateField.substring(0, certificateField.length() / 2), "AAAA", "====", "!!!!", "A",
                Base64.getEncoder().encodeToString(new byte[] {0x30, (byte) 0x82, 0x7f, 0x7f}),
                "-----BEGIN CERTIFICATE-----"});
            default -> pick(random, new String[] {"true", "false", "", "TRUE", "1", "maybe"});
        };
        return String.join("|", fields);
    }

    private static String randomFields(Random random) {
        int count = random.nextInt(10);
        List<String> fields = new ArrayList<>();
        for (int index = 0; index < count; index++) {
            fields.add(random.nextBoolean() ? pick(random, NUMBERS) : randomText(random, random.nextInt(12)));
        }
        return String.join("|", fields);
    }

    private static String manyFields(Random random) {
        int count = 8 + random.nextInt(5000);
        StringBuilder text = new StringBuilder("1|1|unix|/tmp/plugin|grpc|");
        for (int index = 0; index < count; index++) {
            text.append(random.nextBoolean() ? "" : pick(random, NUMBERS)).append('|');
        }
        return text.toString();
    }

    /** Bytes that are mostly not valid UTF-8, decoded as the host's line reader does: with U+FFFD. */
    private static String invalidUtf8(Random random) {
        byte[] bytes = new byte[random.nextInt(300)];
        random.nextBytes(bytes);
        String prefix = random.nextBoolean() ? "1|1|" : "";
        return prefix + new String(bytes, StandardCharsets.UTF_8);
    }

    /** Returns a line of about 1 MiB: one huge field, NUL bytes, or bars everywhere. */
    private static String hugeLine(Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> "1|1|unix|/" + "a".repeat(HUGE_LINE_CHARACTERS) + "|grpc|";
            case 1 -> "1|1|tcp|127.0.0.1:10000|grpc|" + "A".repeat(HUGE_LINE_CHARACTERS);
            case 2 -> "1|1|unix|/tmp/p|grpc|" + "\u0000".repeat(HUGE_LINE_CHARACTERS);
            case 3 -> "|".repeat(HUGE_LINE_CHARACTERS);
            default -> "1".repeat(HUGE_LINE_CHARACTERS) + "|1|unix|/tmp/p|grpc|";
        };
    }

    private static Set<Integer> offeredVersions(Random random) {
        Set<Integer> versions = new TreeSet<>();
        versions.add(1 + random.nextInt(3));
        if (random.nextBoolean()) {
            versions.add(random.nextBoolean() ? Integer.MAX_VALUE : 1 + random.nextInt(3));
        }
        return versions;
    }

    private static String randomText(Random random, int length) {
        StringBuilder text = new StringBuilder();
        for (int index = 0; index < length; index++) {
            text.append(randomCharacter(random));
        }
        return text.toString();
    }

    private static char randomCharacter(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> (char) random.nextInt(0x80);
            case 1 -> "0123456789|:.[]".charAt(random.nextInt(15));
            case 2 -> pick(random, PIECES).charAt(0);
            default -> (char) random.nextInt(0x10000);
        };
    }

    private static <T> T pick(Random random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static String pick(Random random, String[] values) {
        return values[random.nextInt(values.length)];
    }

    // ---- helpers about addresses ----

    private static boolean isLoopbackLiteral(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (bare.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!IPV4_LITERAL.matcher(bare).matches() && !bare.contains(":")) {
            // A name: the parser treats it as remote and never resolves it, so neither does this check.
            return false;
        }
        try {
            return java.net.InetAddress.getByName(bare).isLoopbackAddress();
        } catch (java.net.UnknownHostException invalid) {
            return false;
        }
    }

    private static String describe(String line) {
        String shown = line.length() > 200 ? line.substring(0, 200) + "...(" + line.length() + " characters)" : line;
        StringBuilder text = new StringBuilder("'");
        for (int index = 0; index < shown.length(); index++) {
            char character = shown.charAt(index);
            if (character < 0x20 || character >= 0x7f) {
                text.append(String.format("\\u%04x", (int) character));
            } else {
                text.append(character);
            }
        }
        return text.append('\'').toString();
    }
}
