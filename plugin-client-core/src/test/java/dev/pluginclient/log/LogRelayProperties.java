package dev.pluginclient.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class LogRelayProperties {

    private static final String COOKIE = "s3cr3t-cookie";

    @Property(tries = 300)
    void readerNeverThrowsAndRespectsMaxLength(
            @ForAll @Size(max = 3000) byte[] data, @ForAll @IntRange(min = 1, max = 64) int maxLineLength)
            throws IOException {
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
                assertThat(line.length()).isLessThanOrEqualTo(maxLineLength);
                assertThat(line).doesNotContain("\n");
            }
        }

        assertThat(lines).isBetween(newlines, newlines + 1);
    }

    @Property(tries = 300)
    void relayNeverThrowsOnRandomBytes(
            @ForAll @Size(max = 3000) byte[] data,
            @ForAll @IntRange(min = 1, max = 200) int chunkSize,
            @ForAll @IntRange(min = 1, max = 64) int maxLineLength) throws IOException {
        try (LogCapture capture = new LogCapture("property")) {
            PluginLogRelay relay = new PluginLogRelay("property", List.of(COOKIE), 1_000_000, maxLineLength);

            for (int offset = 0; offset < data.length; offset += chunkSize) {
                byte[] chunk = Arrays.copyOfRange(data, offset, Math.min(data.length, offset + chunkSize));
                relay.stdioData(offset % 2 == 0, chunk);
            }
            try (BoundedLineReader reader = new BoundedLineReader(new ByteArrayInputStream(data), maxLineLength)) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    relay.stderrLine(line, reader.lastLineTruncated());
                    relay.stdoutLine(line, reader.lastLineTruncated());
                }
            }
            relay.flush();

            assertThat(relay.stderrTail().split("\n", -1).length).isLessThanOrEqualTo(PluginLogRelay.TAIL_LINES);
        }
    }

    @Property(tries = 500)
    void relayNeverThrowsOnHclogLikeText(@ForAll("hclogLikeLines") List<String> lines) {
        try (LogCapture capture = new LogCapture("hclog-like")) {
            PluginLogRelay relay = new PluginLogRelay("hclog-like", List.of(COOKIE), 1_000_000, 4096);

            for (String line : lines) {
                relay.stderrLine(line);
            }
            relay.stdioData(true, String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
            relay.flush();

            assertThat(capture.messages()).noneMatch(message -> message.contains(COOKIE));
            assertThat(relay.stderrTail()).doesNotContain(COOKIE);
        }
    }

    @Provide
    Arbitrary<List<String>> hclogLikeLines() {
        Arbitrary<String> fragment = Arbitraries.of(
                "{", "}", "[", "]", "\"", ":", ",", "\\", "\\u00", "@level", "@message", "@timestamp", "@module",
                "info", "warn", "error", "\"info\"", "1e999999", "-0.0", "123456789012345678901234567890", "null",
                "true", "[WARN]", "[INFO] ", "2024-01-01T00:00:00.000Z ", "panic: ", "fatal error: ", " ", "\t",
                "\u0000", "\uFFFD", "\uD83D", "é", "{}", COOKIE, "s3cr3t", "-cookie");
        Arbitrary<String> line = fragment.list().ofMaxSize(30).map(parts -> String.join("", parts));
        return line.list().ofMaxSize(20);
    }
}
