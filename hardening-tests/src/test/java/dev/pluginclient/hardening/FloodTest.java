package dev.pluginclient.hardening;

import static dev.pluginclient.hardening.Plugins.calculator;
import static dev.pluginclient.hardening.Plugins.faults;
import static dev.pluginclient.hardening.Plugins.pair;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;

import dev.pluginclient.PluginConnection;
import dev.pluginclient.PluginLauncher;
import dev.pluginclient.calculator.v1.FloodRequest;
import dev.pluginclient.log.PluginLogRelay;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin that writes megabytes per second, or one endless line, neither slows the host's calls
 * nor grows its heap: the relay cuts long lines, drops lines beyond 200 per second and logs a notice.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FloodTest {

    private static final Duration CALLING_TIME = Duration.ofSeconds(5);
    private static final long FLOOD_CALL_BYTES = 4L * 1024 * 1024;
    // These bounds only guard against hangs and unbounded growth. Typical values are far lower.
    private static final Duration MAX_CALL_LATENCY = Duration.ofSeconds(5);
    private static final Duration MAX_MEDIAN_LATENCY = Duration.ofMillis(500);
    private static final long HEAP_SLACK_BYTES = 64L * 1024 * 1024;

    private static final String RATE_LIMIT_NOTICE = "log lines in the last second (rate limit";
    private static final String CUT_NOTICE = "are cut to that length";

    @TempDir
    Path directory;

    @AfterEach
    void noProcessLeftBehind() throws InterruptedException {
        Plugins.assertNoPluginProcesses();
    }

    @Test
    void stdoutLinesOverStdio() {
        FloodOutcome outcome = floodCalculator("flood-stdout", FloodRequest.Stream.STDOUT, false);

        assertThat(outcome.notices(RATE_LIMIT_NOTICE)).as("rate limit notices").isNotEmpty();
        outcome.assertRateLimited();
    }

    @Test
    void stderrLinesOverStdio() {
        FloodOutcome outcome = floodCalculator("flood-stderr", FloodRequest.Stream.STDERR, false);

        assertThat(outcome.notices(RATE_LIMIT_NOTICE)).as("rate limit notices").isNotEmpty();
        outcome.assertRateLimited();
    }

    @Test
    void endlessLinesOverStdio() {
        FloodOutcome outcome = floodCalculator("flood-line", FloodRequest.Stream.STDERR, true);

        assertThat(outcome.floodCalls()).as("endless lines written").isGreaterThanOrEqualTo(2);
        assertThat(outcome.notices(CUT_NOTICE)).as("cut line notices, at most one a minute").hasSize(1);
        assertThat(outcome.maxRelayedLength()).as("longest relayed line")
                .isLessThanOrEqualTo(PluginLogRelay.DEFAULT_MAX_LINE_LENGTH);
    }

    /**
     * A script plugin whose children flood the real stderr pipe from before the handshake on, write
     * a burst of stdout lines before it and flood stdout after it. Meanwhile the calculator serves.
     */
    @Test
    void pipeFloodsAroundHandshake() throws Exception {
        Path script = Plugins.writeScript(directory, "flooding-plugin",
                "yes 'stderr flood line from a child process' >&2 &",
                "yes 'stdout line before the handshake' | head -n 100000",
                "(",
                "  while [ -z \"$(ls -A \"$PLUGIN_UNIX_SOCKET_DIR\" 2>/dev/null)\" ]; do sleep 0.1; done",
                "  sleep 1",
                "  exec yes 'stdout flood line after the handshake'",
                ") &",
                Plugins.execCalculator());
        String name = "flood-pipes";

        try (LogCapture capture = new LogCapture(PluginLogRelay.loggerName(name), Level.DEBUG, true)) {
            long heapBefore = ResourceCounts.usedHeapAfterGc();
            PluginConnection connection = PluginLauncher.connect(Plugins.script(name, script).build());
            List<Long> latencies;
            long callingEnded;
            Map<String, Long> writesPerFlood;
            try {
                // Give the after-handshake flood time to start.
                Thread.sleep(2000);
                latencies = callRepeatedly(connection);
                callingEnded = System.currentTimeMillis();
                writesPerFlood = bytesWrittenInOneSecond(connection.pid());
                long heapAfter = ResourceCounts.usedHeapAfterGc();
                System.out.printf("pipe floods: %d calls, median %d ms, max %d ms, heap %d -> %d MiB%n",
                        latencies.size(), median(latencies), Collections.max(latencies), heapBefore >> 20,
                        heapAfter >> 20);
                assertThat(heapAfter).as("used heap after GC, before: %d", heapBefore)
                        .isLessThan(heapBefore + HEAP_SLACK_BYTES);
            } finally {
                connection.stop();
            }

            // The start itself shows that the host drained the stdout burst: `head` blocks on a full pipe
            // and the script would never reach the plugin. Both floods share the relay's 200 lines a
            // second, so which of their lines get logged depends on timing.
            assertLatencies(latencies);
            assertThat(writesPerFlood).as("bytes each flooding child wrote in one second at the end of the calls")
                    .hasSize(2)
                    .allSatisfy((command, bytes) -> assertThat(bytes).as("bytes written by %s", command)
                            .isGreaterThan(0L));
            List<LogCapture.Event> events = capture.events();
            // Drop notices up to the end of the calls show that the host still read both pipes then.
            assertThat(events).as("rate limit notices in the last two seconds of calls")
                    .anyMatch(event -> event.message().contains(RATE_LIMIT_NOTICE)
                            && event.timeStamp() >= callingEnded - 2000);
            new FloodOutcome(events, 0).assertRateLimited();
        }
    }

    /**
     * Returns the bytes that each {@code yes} process under the plugin wrote in one second, from the
     * write counters in /proc. A host that stopped reading a pipe would leave its writer blocked at 0.
     */
    private static Map<String, Long> bytesWrittenInOneSecond(long pluginPid) throws IOException, InterruptedException {
        List<ProcessHandle> floods = ProcessHandle.of(pluginPid).orElseThrow().descendants()
                .filter(process -> process.info().command().map(command -> command.endsWith("/yes")).orElse(false))
                .filter(process -> !process.info().arguments().map(List::of).orElse(List.of()).toString()
                        .contains("before the handshake"))
                .toList();
        Map<Long, Long> first = new HashMap<>();
        for (ProcessHandle flood : floods) {
            first.put(flood.pid(), writtenBytes(flood.pid()));
        }
        Thread.sleep(1000);
        Map<String, Long> written = new HashMap<>();
        for (ProcessHandle flood : floods) {
            String command = flood.pid() + " " + flood.info().commandLine().orElse("yes");
            written.put(command, writtenBytes(flood.pid()) - first.get(flood.pid()));
        }
        return written;
    }

    private static long writtenBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "io"))) {
            if (line.startsWith("wchar:")) {
                return Long.parseLong(line.substring("wchar:".length()).strip());
            }
        }
        throw new IllegalStateException("no wchar line in /proc/" + pid + "/io");
    }

    private FloodOutcome floodCalculator(String name, FloodRequest.Stream stream, boolean singleLine) {
        try (LogCapture capture = new LogCapture(PluginLogRelay.loggerName(name), Level.DEBUG, true)) {
            PluginConnection connection = PluginLauncher.connect(Plugins.calculator(name).build());
            AtomicBoolean flooding = new AtomicBoolean(true);
            AtomicLong floodCalls = new AtomicLong();
            List<Throwable> floodFailures = Collections.synchronizedList(new ArrayList<>());
            long heapBefore;
            long heapAfter;
            List<Long> latencies;
            try {
                callRepeatedly(connection, 20);
                heapBefore = ResourceCounts.usedHeapAfterGc();

                Thread flooder = new Thread(() -> {
                    FloodRequest flood = FloodRequest.newBuilder().setStream(stream).setBytes(FLOOD_CALL_BYTES)
                            .setSingleLine(singleLine).build();
                    // Ends the endless line so the relay receives it complete and reports the cut.
                    FloodRequest lineBreak = FloodRequest.newBuilder().setStream(stream).setBytes(100).build();
                    try {
                        while (flooding.get()) {
                            faults(connection.channel()).flood(flood);
                            if (singleLine) {
                                faults(connection.channel()).flood(lineBreak);
                            }
                            floodCalls.incrementAndGet();
                        }
                    } catch (RuntimeException failure) {
                        floodFailures.add(failure);
                    }
                }, "flood-" + name);
                flooder.start();
                try {
                    latencies = callRepeatedly(connection);
                } finally {
                    flooding.set(false);
                    flooder.join(TimeUnit.SECONDS.toMillis(60));
                }
                heapAfter = ResourceCounts.usedHeapAfterGc();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", interrupted);
            } finally {
                connection.stop();
            }

            System.out.printf("%s: %d flood calls of %d MiB, %d calls, median %d ms, max %d ms, heap %d -> %d MiB%n",
                    name, floodCalls.get(), FLOOD_CALL_BYTES >> 20, latencies.size(), median(latencies),
                    Collections.max(latencies), heapBefore >> 20, heapAfter >> 20);
            assertThat(floodFailures).as("failures of the Flood calls").isEmpty();
            assertLatencies(latencies);
            assertThat(heapAfter).as("used heap after GC, before: %d", heapBefore)
                    .isLessThan(heapBefore + HEAP_SLACK_BYTES);
            return new FloodOutcome(capture.events(), floodCalls.get());
        }
    }

    private static List<Long> callRepeatedly(PluginConnection connection) {
        List<Long> latencies = new ArrayList<>();
        long end = System.nanoTime() + CALLING_TIME.toNanos();
        long call = 0;
        while (System.nanoTime() < end) {
            long began = System.nanoTime();
            assertThat(calculator(connection.channel()).add(pair(call, 1)).getValue()).isEqualTo(call + 1);
            latencies.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
            call++;
            sleep(10);
        }
        return latencies;
    }

    private static void callRepeatedly(PluginConnection connection, int calls) {
        for (int call = 0; call < calls; call++) {
            assertThat(calculator(connection.channel()).add(pair(call, 2)).getValue()).isEqualTo(call + 2);
        }
    }

    private static void assertLatencies(List<Long> latencies) {
        assertThat(latencies).as("calls done in %s", CALLING_TIME).hasSizeGreaterThan(20);
        assertThat(median(latencies)).as("median call latency in ms").isLessThan(MAX_MEDIAN_LATENCY.toMillis());
        assertThat(Collections.max(latencies)).as("max call latency in ms").isLessThan(MAX_CALL_LATENCY.toMillis());
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** What the plugin's logger received during a flood. */
    private record FloodOutcome(List<LogCapture.Event> events, long floodCalls) {

        List<String> notices(String text) {
            return events.stream()
                    .filter(event -> event.level() == Level.WARN)
                    .map(LogCapture.Event::message)
                    .filter(message -> message.contains(text))
                    .toList();
        }

        int maxRelayedLength() {
            return events.stream().mapToInt(LogCapture.Event::messageLength).max().orElse(0);
        }

        /** Relayed lines stay within 200 per one-second window, and the drop notice comes at most once a window. */
        void assertRateLimited() {
            long first = events.stream().mapToLong(LogCapture.Event::timeStamp).min().orElse(0);
            long last = events.stream().mapToLong(LogCapture.Event::timeStamp).max().orElse(0);
            // A window starts at the first line after the previous one ended, but the first window starts when the
            // relay is made, possibly just before the first line. So a span of lines touches at most span/1s + 2.
            long windows = (last - first) / 1000 + 2;
            long relayed = events.stream().filter(event -> event.level() != Level.WARN).count();
            assertThat(relayed).as("relayed lines in %d windows", windows)
                    .isLessThanOrEqualTo(windows * PluginLogRelay.DEFAULT_MAX_LINES_PER_SECOND);
            // One more notice than windows can come from the final flush when the plugin's output ends.
            assertThat(notices(RATE_LIMIT_NOTICE)).as("rate limit notices in %d windows", windows)
                    .hasSizeLessThanOrEqualTo((int) windows + 1);
        }
    }
}
