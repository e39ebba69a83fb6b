package dev.pluginclient.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Properties of the line reader and the log relay over many random inputs.
 *
 * <p>The seed is random unless {@code -Dfuzz.seed=<n>} is given, and every assertion message
 * contains it, so {@code mvn -pl plugin-client-core test -Dtest=LogRelayProperties -Dfuzz.seed=<n>}
 * reproduces a failure.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LogRelayProperties {

    private static final String COOKIE = "s3cr3t-cookie";
    private static final long SEED = Long.getLong("fuzz.seed", new SecureRandom().nextLong());

    private static final String[] HCLOG_FRAGMENTS = {
        "{", "}", "[", "]", "\"", ":", ",", "\\", "\\u00", "@level", "@message", "@timestamp", "@module",
        "info", "warn", "error", "\"info\"", "1e999999", "-0.0", "123456789012345678901234567890", "null",
        "true", "[WARN]", "[INFO] ", "2024-01-01T00:00:00.000Z ", "panic: ", "fatal error: ", " ", "\t",
        "\u0000", "\uFFFD", "\uD83D", "é", "{}", COOKIE, "s3cr3t", "-cookie"};

    @BeforeAll
    static void printSeed() {
        System.out.println("LogRelayProperties seed: " + SEED + " (rerun with -Dfuzz.seed=" + SEED + ")");
    }

    @Test
    void readerNeverThrowsAndRespectsMaxLength() throws IOException {
        Random random = new Random(SEED);
        for (int trial = 0; trial < 300; trial++) {
            byte[] data = randomBytes(random, 3000);
            int maxLineLength = 1 + random.nextInt(64);
            String context = "seed " + SEED + ", trial " + trial + ", maxLineLength " + maxLineLength;

            int newlines = 0;
            for (byte b : data) {
                if (b == '\n') {
                    newlines++;
                }
            }

            int lines = 0;
            try (BoundedLineReader reader = new BoundedLineReader(new ByteArrayInputStream(data), maxLineLength)) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    lines++;
                    assertThat(line.length()).as("line length, %s", context).isLessThanOrEqualTo(maxLineLength);
                    assertThat(line).as("line, %s", context).doesNotContain("\n");
                }
            }

            assertThat(lines).as("line count, %s", context).isBetween(newlines, newlines + 1);
        }
    }

    @Test
    void relayNeverThrowsOnRandomBytes() throws IOException {
        Random random = new Random(SEED);
        for (int trial = 0; trial < 300; trial++) {
            byte[] data = randomBytes(random, 3000);
            int chunkSize = 1 + random.nextInt(200);
            int maxLineLength = 1 + random.nextInt(64);
            String context = "seed " + SEED + ", trial " + trial + ", chunkSize " + chunkSize + ", maxLineLength "
                    + maxLineLength;

            try (LogCapture capture = new LogCapture("property")) {
                PluginLogRelay relay = new PluginLogRelay("property", List.of(COOKIE), 1_000_000, maxLineLength);

                for (int offset = 0; offset < data.length; offset += chunkSize) {
                    byte[] chunk = Arrays.copyOfRange(data, offset, Math.min(data.length, offset + chunkSize));
                    relay.stdioData(offset % 2 == 0, chunk);
                }
                try (BoundedLineReader reader = new BoundedLineReader(new ByteArrayInputStream(data),
                        maxLineLength)) {
                    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                        relay.stderrLine(line, reader.lastLineTruncated());
                        relay.stdoutLine(line, reader.lastLineTruncated());
                    }
                }
                relay.flush();

                assertThat(relay.stderrTail().split("\n", -1).length).as("stderr tail lines, %s", context)
                        .isLessThanOrEqualTo(PluginLogRelay.TAIL_LINES);
                assertThat(capture.messages()).as("relay failures, %s", context)
                        .noneMatch(message -> message.contains("failed to relay"));
            }
        }
    }

    @Test
    void relayNeverThrowsOnHclogLikeText() {
        Random random = new Random(SEED);
        for (int trial = 0; trial < 500; trial++) {
            List<String> lines = hclogLikeLines(random);
            String context = "seed " + SEED + ", trial " + trial + ", lines " + lines;

            try (LogCapture capture = new LogCapture("hclog-like")) {
                PluginLogRelay relay = new PluginLogRelay("hclog-like", List.of(COOKIE), 1_000_000, 4096);

                for (String line : lines) {
                    relay.stderrLine(line);
                }
                relay.stdioData(true, String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
                relay.flush();

                assertThat(capture.messages()).as("logged messages, %s", context)
                        .noneMatch(message -> message.contains(COOKIE));
                assertThat(relay.stderrTail()).as("stderr tail, %s", context).doesNotContain(COOKIE);
            }
        }
    }

    /** Bytes of any value, with empty and short arrays as likely as long ones. */
    private static byte[] randomBytes(Random random, int maxSize) {
        int size = switch (random.nextInt(4)) {
            case 0 -> random.nextInt(8);
            case 1 -> random.nextInt(100);
            default -> random.nextInt(maxSize + 1);
        };
        byte[] data = new byte[size];
        random.nextBytes(data);
        // Random bytes hold a line break only every 256 bytes; add more so lines of all lengths occur.
        for (int index = 0; index < size; index++) {
            if (random.nextInt(40) == 0) {
                data[index] = random.nextBoolean() ? (byte) '\n' : (byte) '\r';
            }
        }
        return data;
    }

    /** Up to 20 lines, each joined from up to 30 fragments of hclog JSON, tags, secrets and odd characters. */
    private static List<String> hclogLikeLines(Random random) {
        int lineCount = random.nextInt(21);
        List<String> lines = new ArrayList<>(lineCount);
        for (int index = 0; index < lineCount; index++) {
            int fragmentCount = random.nextInt(31);
            StringBuilder line = new StringBuilder();
            for (int fragment = 0; fragment < fragmentCount; fragment++) {
                line.append(HCLOG_FRAGMENTS[random.nextInt(HCLOG_FRAGMENTS.length)]);
            }
            lines.add(line.toString());
        }
        return lines;
    }
}
