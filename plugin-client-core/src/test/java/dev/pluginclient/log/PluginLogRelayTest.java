package dev.pluginclient.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PluginLogRelayTest {

    private static final AtomicInteger PLUGIN_NUMBER = new AtomicInteger();
    private static final String COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

    private final String pluginName = "calculator" + PLUGIN_NUMBER.incrementAndGet();
    private final LogCapture capture = new LogCapture(pluginName);
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    @AfterEach
    void closeCapture() {
        capture.close();
    }

    private PluginLogRelay relay() {
        return new PluginLogRelay(pluginName, List.of(COOKIE), 1000, 8192, clock::get);
    }

    @Test
    void loggerNameUsesPluginPrefix() {
        assertThat(PluginLogRelay.loggerName("calculator")).isEqualTo("plugin.calculator");
        assertThat(relay().loggerName()).isEqualTo("plugin." + pluginName);
    }

    @ParameterizedTest
    @CsvSource({
            "trace, TRACE",
            "debug, DEBUG",
            "info, INFO",
            "warn, WARN",
            "warning, WARN",
            "error, ERROR",
            "INFO, INFO",
            "' Error ', ERROR"})
    void hclogJsonLevel(String hclogLevel, String expectedLevel) {
        relay().stderrLine("{\"@level\":\"" + hclogLevel + "\",\"@message\":\"plugin started\"}");

        ILoggingEvent event = capture.single();
        assertThat(event.getLevel()).isEqualTo(Level.toLevel(expectedLevel));
        assertThat(event.getFormattedMessage()).isEqualTo("plugin started");
        assertThat(event.getLoggerName()).isEqualTo("plugin." + pluginName);
    }

    @Test
    void hclogJsonFieldsInOrder() {
        relay().stderrLine("{\"@level\":\"info\",\"@message\":\"serving\",\"@module\":\"calculator.server\","
                + "\"@timestamp\":\"2024-01-01T00:00:00.000000Z\",\"port\":1234,\"ratio\":0.5,\"tls\":true,"
                + "\"path\":\"/tmp/plugin.sock\",\"note\":\"two words\",\"empty\":\"\",\"none\":null,"
                + "\"tags\":[\"a\",\"b\"],\"limits\":{\"cpu\":2,\"nested\":{\"x\":[1,{\"y\":\"z\"}]}}}");

        ILoggingEvent event = capture.single();
        assertThat(event.getLevel()).isEqualTo(Level.INFO);
        assertThat(event.getFormattedMessage()).isEqualTo("serving module=calculator.server port=1234 ratio=0.5"
                + " tls=true path=/tmp/plugin.sock note=\"two words\" empty=\"\" none=null tags=[\"a\",\"b\"]"
                + " limits={\"cpu\":2,\"nested\":{\"x\":[1,{\"y\":\"z\"}]}}");
    }

    @Test
    void jsonMessageBracesKeptVerbatim() {
        relay().stderrLine("{\"@level\":\"debug\",\"@message\":\"value {} and {0}\"}");

        assertThat(capture.single().getFormattedMessage()).isEqualTo("value {} and {0}");
    }

    @Test
    void hclogJsonNonTextMessage() {
        relay().stderrLine("{\"@level\":\"info\",\"@message\":{\"a\":1},\"k\":\"v\"}");

        assertThat(capture.single().getFormattedMessage()).isEqualTo("{\"a\":1} k=v");
    }

    @Test
    void hclogJsonHugeNumbers() {
        relay().stderrLine("{\"@level\":\"info\",\"@message\":\"numbers\",\"big\":123456789012345678901234567890,"
                + "\"tiny\":1e-400,\"huge\":1e400}");

        ILoggingEvent event = capture.single();
        assertThat(event.getLevel()).isEqualTo(Level.INFO);
        assertThat(event.getFormattedMessage()).startsWith("numbers big=123456789012345678901234567890 tiny=");
    }

    @Test
    void unknownJsonLevelLogsRawLineAtDebug() {
        String line = "{\"@level\":\"fatal\",\"@message\":\"boom\",\"k\":1}";
        String missingLevel = "{\"@message\":\"no level\"}";
        String numericLevel = "{\"@level\":3,\"@message\":\"numeric level\"}";
        PluginLogRelay relay = relay();

        relay.stderrLine(line);
        relay.stderrLine(missingLevel);
        relay.stderrLine(numericLevel);

        assertThat(capture.messages()).containsExactly(line, missingLevel, numericLevel);
        assertThat(capture.events()).allSatisfy(event -> assertThat(event.getLevel()).isEqualTo(Level.DEBUG));
    }

    @Test
    void nonHclogBracesArePlainText() {
        List<String> lines = List.of(
                "{not json}",
                "{\"user\":\"x\",\"level\":\"error\"}",
                "{\"@level\":\"error\",\"@message\":\"x\"} trailing",
                "{\"@level\":\"error\",\"@message\":\"x\"",
                "[\"@level\",\"error\"]",
                "{}",
                "{");
        PluginLogRelay relay = relay();

        lines.forEach(relay::stderrLine);

        assertThat(capture.messages()).containsExactlyElementsOf(lines);
        assertThat(capture.events()).allSatisfy(event -> assertThat(event.getLevel()).isEqualTo(Level.DEBUG));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[WARN] disk almost full | WARN | disk almost full",
            "[WARN]  disk almost full | WARN | disk almost full",
            "2024-01-01T00:00:00.000Z [WARN]  disk almost full | WARN | disk almost full",
            "2024-01-01T10:20:30.123+0100 [ERROR] calculator: failed: err=\"x\" | ERROR | calculator: failed: err=\"x\"",
            "2024-01-01T10:20:30+01:00 [INFO]  ready | INFO | ready",
            "2024/01/01 10:20:30 [DEBUG] go log line | DEBUG | go log line",
            "[TRACE] entering loop | TRACE | entering loop",
            "[INFO] | INFO | ''",
            "note [WARN] not a tag at the start | DEBUG | note [WARN] not a tag at the start",
            "[warn] lower case is no tag | DEBUG | [warn] lower case is no tag",
            "2024-01-01 [WARN] partial timestamp | DEBUG | 2024-01-01 [WARN] partial timestamp",
            "plain text | DEBUG | plain text"})
    void plainTextLevelTag(String line, String expectedLevel, String expectedMessage) {
        relay().stderrLine(line);

        ILoggingEvent event = capture.single();
        assertThat(event.getLevel()).isEqualTo(Level.toLevel(expectedLevel));
        assertThat(event.getFormattedMessage()).isEqualTo(expectedMessage);
    }

    @Test
    void panicModeLogsFollowingUntaggedLinesAtError() {
        PluginLogRelay relay = relay();

        relay.stderrLine("before");
        relay.stderrLine("panic: runtime error: index out of range [5] with length 3");
        relay.stderrLine("");
        relay.stderrLine("goroutine 1 [running]:");
        relay.stderrLine("main.main()");
        relay.stderrLine("\t/src/main.go:10 +0x1d");
        relay.stderrLine("[INFO] restarted");
        relay.stderrLine("after");

        List<ILoggingEvent> events = capture.events();
        assertThat(events).extracting(ILoggingEvent::getLevel).containsExactly(
                Level.DEBUG, Level.ERROR, Level.ERROR, Level.ERROR, Level.ERROR, Level.ERROR, Level.INFO, Level.DEBUG);
        assertThat(events.get(1).getFormattedMessage())
                .isEqualTo("panic: runtime error: index out of range [5] with length 3");
        assertThat(events.get(5).getFormattedMessage()).isEqualTo("\t/src/main.go:10 +0x1d");
    }

    @Test
    void fatalErrorPanicEndedByJson() {
        PluginLogRelay relay = relay();

        relay.stderrLine("fatal error: concurrent map writes");
        relay.stderrLine("goroutine 7 [running]:");
        relay.stderrLine("{\"@level\":\"info\",\"@message\":\"still alive\"}");
        relay.stderrLine("untagged again");

        assertThat(capture.events()).extracting(ILoggingEvent::getLevel)
                .containsExactly(Level.ERROR, Level.ERROR, Level.INFO, Level.DEBUG);
    }

    @Test
    void panicInsideLineDoesNotStartPanicMode() {
        PluginLogRelay relay = relay();

        relay.stderrLine("recovered from panic: nil map");
        relay.stderrLine("next");

        assertThat(capture.events()).extracting(ILoggingEvent::getLevel).containsExactly(Level.DEBUG, Level.DEBUG);
    }

    @Test
    void redactsSecretInPlainTextAndTail() {
        PluginLogRelay relay = relay();

        relay.stderrLine("[ERROR] cookie " + COOKIE + " rejected, expected " + COOKIE);

        assertThat(capture.single().getFormattedMessage()).isEqualTo("cookie <redacted> rejected, expected <redacted>");
        assertThat(relay.stderrTail()).isEqualTo("[ERROR] cookie <redacted> rejected, expected <redacted>");
    }

    @Test
    void redactsSecretInJsonMessageAndFields() {
        PluginLogRelay relay = relay();

        relay.stderrLine("{\"@level\":\"warn\",\"@message\":\"env " + COOKIE + "\",\"cookie\":\"" + COOKIE
                + "\",\"nested\":{\"env\":[\"X=" + COOKIE + "\"]}}");

        String message = capture.single().getFormattedMessage();
        assertThat(message).isEqualTo("env <redacted> cookie=<redacted> nested={\"env\":[\"X=<redacted>\"]}");
        assertThat(relay.stderrTail()).doesNotContain(COOKIE).contains("<redacted>");
    }

    @Test
    void redactsSecretRebuiltFromJsonEscapes() {
        String escaped = "\\u00" + Integer.toHexString(COOKIE.charAt(0)) + COOKIE.substring(1);

        relay().stderrLine("{\"@level\":\"info\",\"@message\":\"cookie " + escaped + "\"}");

        assertThat(capture.single().getFormattedMessage()).isEqualTo("cookie <redacted>");
    }

    @Test
    void redactsSecretOnStdout() {
        relay().stdoutLine("magic cookie is " + COOKIE);

        assertThat(capture.single().getFormattedMessage()).isEqualTo("stdout: magic cookie is <redacted>");
    }

    @Test
    void redactsOverlappingSecretsOnce() {
        PluginLogRelay relay = new PluginLogRelay(pluginName, List.of("abcd", "cdef", "e", ""), 100, 100);

        relay.stderrLine("xxabcdefyy and e");
        relay.stderrLine("{\"@level\":\"info\",\"@message\":\"xxabcdefyy\",\"k\":\"e\"}");

        assertThat(capture.messages()).containsExactly("xx<redacted>yy and <redacted>", "xx<redacted>yy k=<redacted>");
    }

    @Test
    void cutJsonLineIsPlainText() {
        String line = "{\"@level\":\"error\",\"@message\":\"cut\"}";

        relay().stderrLine(line, true);

        List<ILoggingEvent> relayed = capture.events().stream()
                .filter(event -> event.getLevel() != Level.WARN)
                .toList();
        assertThat(relayed).extracting(ILoggingEvent::getFormattedMessage).containsExactly(line);
        assertThat(relayed).extracting(ILoggingEvent::getLevel).containsExactly(Level.DEBUG);
    }

    @Test
    void redactsSecretStartAtEndOfCutLine() {
        PluginLogRelay relay = relay();

        relay.stderrLine("token=" + COOKIE.substring(0, 20), true);

        assertThat(capture.messages()).contains("token=<redacted>");
        assertThat(relay.stderrTail()).isEqualTo("token=<redacted>");
    }

    @Test
    void stdoutLineLoggedAtInfoWithPrefix() {
        relay().stdoutLine("[ERROR] printed with fmt.Println");

        ILoggingEvent event = capture.single();
        assertThat(event.getLevel()).isEqualTo(Level.INFO);
        assertThat(event.getFormattedMessage()).isEqualTo("stdout: [ERROR] printed with fmt.Println");
    }

    @Test
    void stderrTailKeepsLastTwentyLines() {
        PluginLogRelay relay = relay();
        assertThat(relay.stderrTail()).isEmpty();

        for (int i = 1; i <= 25; i++) {
            relay.stderrLine("line " + i);
        }
        relay.stdoutLine("stdout is not in the tail");

        List<String> expected = new ArrayList<>();
        for (int i = 6; i <= 25; i++) {
            expected.add("line " + i);
        }
        assertThat(relay.stderrTail()).isEqualTo(String.join("\n", expected));
    }

    @Test
    void stderrTailCutsLongLinesAndIncludesStdio() {
        PluginLogRelay relay = relay();

        relay.stderrLine("y".repeat(2000));
        relay.stdioData(true, "from stdio\n".getBytes(StandardCharsets.UTF_8));
        relay.stdioData(false, "stdout from stdio\n".getBytes(StandardCharsets.UTF_8));

        assertThat(relay.stderrTail()).isEqualTo("y".repeat(500) + "\nfrom stdio");
    }

    @Test
    void rateLimitDropsExcessAndWarns() {
        PluginLogRelay relay = new PluginLogRelay(pluginName, List.of(), 200, 8192);
        long start = System.nanoTime();

        for (int i = 0; i < 10_000; i++) {
            relay.stderrLine("[INFO] flood " + i);
        }
        relay.flush();

        long elapsedSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        List<ILoggingEvent> events = capture.events();
        long relayed = events.stream().filter(event -> event.getLevel() == Level.INFO).count();
        List<String> warnings = events.stream()
                .filter(event -> event.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
        assertThat(relayed).isBetween(200L, 200L * (elapsedSeconds + 1));
        assertThat(warnings).isNotEmpty().hasSizeLessThanOrEqualTo((int) elapsedSeconds + 1);
        assertThat(warnings).allSatisfy(warning -> assertThat(warning)
                .matches("plugin " + pluginName + ": dropped \\d+ log lines in the last second \\(rate limit 200/s\\)"));
        assertThat(relay.droppedLines()).isEqualTo(10_000 - relayed);
    }

    @Test
    void rateLimitWindowReportsDropsOncePerSecond() {
        PluginLogRelay relay = new PluginLogRelay(pluginName, List.of(), 5, 8192, clock::get);

        for (int i = 0; i < 8; i++) {
            relay.stderrLine("[INFO] burst " + i);
        }
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(999));
        relay.stderrLine("[INFO] still in the first window");
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
        relay.stderrLine("[INFO] next window");

        assertThat(capture.messages()).containsExactly(
                "burst 0", "burst 1", "burst 2", "burst 3", "burst 4",
                "plugin " + pluginName + ": dropped 4 log lines in the last second (rate limit 5/s)",
                "next window");
        assertThat(relay.droppedLines()).isEqualTo(4);
    }

    @Test
    void disabledLevelDoesNotCountTowardsRateLimit() {
        capture.setLevel(Level.INFO);
        PluginLogRelay relay = new PluginLogRelay(pluginName, List.of(), 2, 8192, clock::get);

        for (int i = 0; i < 10; i++) {
            relay.stderrLine("[DEBUG] hidden " + i);
        }
        relay.stderrLine("[INFO] shown");
        relay.flush();

        assertThat(capture.messages()).containsExactly("shown");
        assertThat(relay.droppedLines()).isZero();
        assertThat(relay.stderrTail()).contains("[DEBUG] hidden 9");
    }

    @Test
    void truncatedLineWarnsOncePerMinute() {
        PluginLogRelay relay = relay();

        relay.stderrLine("cut one", true);
        relay.stderrLine("cut two", true);
        relay.stdoutLine("cut three", true);
        clock.addAndGet(TimeUnit.SECONDS.toNanos(61));
        relay.stderrLine("cut four", true);

        List<String> warnings = capture.events().stream()
                .filter(event -> event.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
        assertThat(warnings).containsExactly(
                "plugin " + pluginName + ": log lines longer than 8192 characters are cut to that length"
                        + " (1 cut since the last warning, 1 in total)",
                "plugin " + pluginName + ": log lines longer than 8192 characters are cut to that length"
                        + " (3 cut since the last warning, 4 in total)");
        assertThat(relay.truncatedLines()).isEqualTo(4);
    }

    @Test
    void cutsLineLongerThanMaxLineLength() {
        PluginLogRelay relay = new PluginLogRelay(pluginName, List.of(), 100, 10, clock::get);

        relay.stderrLine("0123456789abcdef");

        assertThat(capture.messages()).contains("0123456789");
        assertThat(relay.truncatedLines()).isEqualTo(1);
    }

    @Test
    void stdioDataAssemblesLinesAcrossChunks() {
        PluginLogRelay relay = relay();

        relay.stdioData(true, bytes("[INFO] hel"));
        relay.stdioData(false, bytes("out "));
        relay.stdioData(true, bytes("lo\n[ERROR] wor"));
        relay.stdioData(true, bytes("ld\r\nplain\n\npart"));
        relay.stdioData(false, bytes("line\nout tail"));
        assertThat(capture.messages()).containsExactly("hello", "world", "plain", "", "stdout: out line");

        relay.flush();

        List<ILoggingEvent> events = capture.events();
        assertThat(events).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "hello", "world", "plain", "", "stdout: out line", "stdout: out tail", "part");
        assertThat(events).extracting(ILoggingEvent::getLevel).containsExactly(
                Level.INFO, Level.ERROR, Level.DEBUG, Level.DEBUG, Level.INFO, Level.INFO, Level.DEBUG);
    }

    @Test
    void stdioDataDecodesCharacterSplitAcrossChunks() {
        PluginLogRelay relay = relay();
        byte[] euro = bytes("€\n");

        relay.stdioData(false, new byte[] {euro[0]});
        relay.stdioData(false, new byte[] {euro[1], euro[2]});
        relay.stdioData(false, new byte[] {euro[3], (byte) 0xFF, '\n'});

        assertThat(capture.messages()).containsExactly("stdout: €", "stdout: \uFFFD");
    }

    @Test
    void stdioDataCapsPartialLine() {
        PluginLogRelay relay = new PluginLogRelay(pluginName, List.of(), 100, 10, clock::get);

        for (int i = 0; i < 1000; i++) {
            relay.stdioData(true, bytes("abcdefg"));
        }
        relay.stdioData(true, bytes("\nnext\n"));

        assertThat(capture.messages()).containsExactly(
                "plugin " + pluginName + ": log lines longer than 10 characters are cut to that length"
                        + " (1 cut since the last warning, 1 in total)",
                "abcdefgabc",
                "next");
        assertThat(relay.truncatedLines()).isEqualTo(1);
    }

    @Test
    void flushWithoutPendingDataLogsNothing() {
        PluginLogRelay relay = relay();

        relay.stdioData(true, bytes("done\n"));
        relay.flush();
        relay.flush();

        assertThat(capture.messages()).containsExactly("done");
    }

    @Test
    void neverThrowsOnOddInput() {
        PluginLogRelay relay = relay();

        relay.stderrLine(null);
        relay.stdoutLine(null);
        relay.stdioData(true, null);
        relay.stdioData(false, new byte[0]);
        relay.stderrLine("a\0b");
        relay.stderrLine("{\"@level\":\"info\",\"@message\":\"nul \\u0000 inside\"}");
        relay.stderrLine("{\"@level\":\"info\",\"@message\":\"" + "9".repeat(3000) + "\",\"n\":" + "9".repeat(3000) + "}");
        relay.stderrLine("{\"@level\":\"info\",\"@message\":\"deep\",\"x\":" + "[".repeat(2000) + "]".repeat(2000) + "}");
        relay.stderrLine("{\"@level\":\"info\",\"@message\":\"dup\",\"@message\":\"twice\"}");
        relay.stderrLine("\uD800 lone surrogate");

        List<String> messages = capture.messages();
        assertThat(messages).hasSize(6);
        assertThat(messages.get(0)).isEqualTo("a\0b");
        assertThat(messages.get(1)).isEqualTo("nul \0 inside");
        assertThat(messages.get(3)).startsWith("{\"@level\":\"info\",\"@message\":\"deep\"");
    }

    @Test
    void relaysConcurrentlyFromSeveralThreads() throws Exception {
        PluginLogRelay relay = new PluginLogRelay(pluginName, List.of(COOKIE), 1_000_000, 8192);
        int threads = 4;
        int linesPerThread = 500;
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(executor.submit(() -> {
                    start.await();
                    for (int i = 0; i < linesPerThread; i++) {
                        switch (thread) {
                            case 0 -> relay.stderrLine("[INFO] pipe " + i);
                            case 1 -> relay.stdoutLine("out " + i);
                            case 2 -> relay.stdioData(true, bytes("stdio " + i + "\n"));
                            default -> relay.stdioData(false, bytes("stdio out " + i + "\n"));
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(20, TimeUnit.SECONDS);
            }
        } finally {
            executor.shutdownNow();
        }

        assertThat(capture.events()).hasSize(threads * linesPerThread);
        assertThat(relay.stderrTail().split("\n")).hasSize(PluginLogRelay.TAIL_LINES);
    }

    @Test
    void rejectsInvalidConfiguration() {
        assertThatThrownBy(() -> new PluginLogRelay(" ", List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pluginName must not be blank");
        assertThatThrownBy(() -> new PluginLogRelay("calculator", List.of(), 0, 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxLinesPerSecond for plugin 'calculator' must be at least 1 but was 0");
        assertThatThrownBy(() -> new PluginLogRelay("calculator", List.of(), 10, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxLineLength for plugin 'calculator' must be at least 1 but was -1");
    }

    @Test
    void acceptsNullSecrets() {
        PluginLogRelay relay = new PluginLogRelay(pluginName, null);

        relay.stderrLine("[INFO] no secrets");

        assertThat(capture.messages()).containsExactly("no secrets");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
