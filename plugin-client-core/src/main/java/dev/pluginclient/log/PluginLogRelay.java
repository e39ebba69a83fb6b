package dev.pluginclient.log;

import dev.pluginclient.log.StderrLineParser.ParsedLine;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Relays a plugin's stdout and stderr output to SLF4J under the logger {@code plugin.<pluginName>},
 * so {@code logging.level.plugin.calculator=debug} controls the output of the plugin named
 * {@code calculator}.
 *
 * <p>Stderr lines are classified like go-plugin's host does it (go-plugin 1.0.1
 * {@code Client.logStderr}), with panic mode and timestamped tags added. An hclog JSON entry is
 * logged at its {@code @level} with its message and fields. A plain-text line tagged {@code [TRACE]},
 * {@code [DEBUG]}, {@code [INFO]}, {@code [WARN]} or {@code [ERROR]}, optionally after a timestamp,
 * is logged at that level without the tag. A line starting with {@code panic: } or
 * {@code fatal error: } starts panic mode, in which it and every following untagged line are logged
 * at ERROR until a tagged or JSON line arrives. Anything else is logged at DEBUG. Stdout lines are
 * logged at INFO with the prefix {@code stdout: }.
 *
 * <p>Every occurrence of a configured secret, such as the magic cookie value, is replaced by
 * {@code <redacted>} before a line is logged or kept in the {@linkplain #stderrTail() stderr tail}.
 * At most {@code maxLinesPerSecond} lines are logged per second and the excess is dropped and
 * counted. The drop count is reported in one WARN when the next one-second window starts or on
 * {@link #flush()}.
 *
 * <p>All methods are thread-safe, so stdout, stderr and the GRPCStdio stream may be relayed from
 * different threads. No method throws on any line content.
 */
public final class PluginLogRelay {

    /** Default for the maximum number of lines logged per second. */
    public static final int DEFAULT_MAX_LINES_PER_SECOND = 200;

    /** Default maximum line length in characters, the size of go-plugin 1.0.1's 64 KiB stderr buffer. */
    public static final int DEFAULT_MAX_LINE_LENGTH = 64 * 1024;

    /** Number of stderr lines kept for {@link #stderrTail()}. */
    public static final int TAIL_LINES = 20;

    /** Maximum length in characters of one line in {@link #stderrTail()}. */
    public static final int TAIL_LINE_LENGTH = 500;

    /** Prefix of every plugin logger name. */
    public static final String LOGGER_PREFIX = "plugin.";

    private static final String STDOUT_PREFIX = "stdout: ";
    private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long TRUNCATION_WARNING_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final String pluginName;
    private final Logger logger;
    private final SecretRedactor redactor;
    private final StderrLineParser parser = new StderrLineParser();
    private final int maxLinesPerSecond;
    private final int maxLineLength;
    private final LongSupplier nanoClock;

    private final Object lock = new Object();
    private final StdioLineAssembler stdoutAssembler;
    private final StdioLineAssembler stderrAssembler;
    private final Deque<String> tail = new ArrayDeque<>(TAIL_LINES);
    private boolean panicMode;

    private long windowStartNanos;
    private int loggedInWindow;
    private long droppedInWindow;
    private long droppedTotal;

    private long truncatedTotal;
    private long truncatedSinceWarning;
    private boolean truncationWarned;
    private long lastTruncationWarningNanos;

    /**
     * Creates a relay with {@link #DEFAULT_MAX_LINES_PER_SECOND} and {@link #DEFAULT_MAX_LINE_LENGTH}.
     *
     * @param pluginName the plugin name used in the logger name, not blank
     * @param secrets values to redact from every line; {@code null} and empty values are ignored
     * @throws IllegalArgumentException if {@code pluginName} is null or blank
     */
    public PluginLogRelay(String pluginName, Collection<String> secrets) {
        this(pluginName, secrets, DEFAULT_MAX_LINES_PER_SECOND, DEFAULT_MAX_LINE_LENGTH);
    }

    /**
     * Creates a relay.
     *
     * @param pluginName the plugin name used in the logger name, not blank
     * @param secrets values to redact from every line; {@code null} and empty values are ignored
     * @param maxLinesPerSecond the maximum number of lines logged per second, at least 1
     * @param maxLineLength the maximum line length in characters, at least 1. Longer lines are cut.
     *     Give a {@link BoundedLineReader} that feeds this relay the same value.
     * @throws IllegalArgumentException if an argument is out of range
     */
    public PluginLogRelay(String pluginName, Collection<String> secrets, int maxLinesPerSecond, int maxLineLength) {
        this(pluginName, secrets, maxLinesPerSecond, maxLineLength, System::nanoTime);
    }

    PluginLogRelay(String pluginName, Collection<String> secrets, int maxLinesPerSecond, int maxLineLength,
            LongSupplier nanoClock) {
        if (pluginName == null || pluginName.isBlank()) {
            throw new IllegalArgumentException("pluginName must not be blank but was '" + pluginName
                    + "'; set the plugin name used in the logger name plugin.<name>");
        }
        if (maxLinesPerSecond < 1) {
            throw new IllegalArgumentException("maxLinesPerSecond for plugin '" + pluginName
                    + "' must be at least 1 but was " + maxLinesPerSecond);
        }
        if (maxLineLength < 1) {
            throw new IllegalArgumentException("maxLineLength for plugin '" + pluginName
                    + "' must be at least 1 but was " + maxLineLength);
        }
        this.pluginName = pluginName;
        this.logger = LoggerFactory.getLogger(loggerName(pluginName));
        this.redactor = new SecretRedactor(secrets);
        this.maxLinesPerSecond = maxLinesPerSecond;
        this.maxLineLength = maxLineLength;
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.stdoutAssembler = new StdioLineAssembler(maxLineLength);
        this.stderrAssembler = new StdioLineAssembler(maxLineLength);
        this.windowStartNanos = nanoClock.getAsLong();
    }

    /** Returns the logger name for a plugin: {@code plugin.<pluginName>}. */
    public static String loggerName(String pluginName) {
        return LOGGER_PREFIX + pluginName;
    }

    public String pluginName() {
        return pluginName;
    }

    public String loggerName() {
        return logger.getName();
    }

    public int maxLinesPerSecond() {
        return maxLinesPerSecond;
    }

    public int maxLineLength() {
        return maxLineLength;
    }

    /** Relays one stderr line that was not cut. */
    public void stderrLine(String line) {
        stderrLine(line, false);
    }

    /**
     * Relays one stderr line and keeps it in the stderr tail.
     *
     * @param line the line without its terminator; {@code null} is ignored
     * @param truncated whether the reader cut the line, which logs a WARN about cut lines
     */
    public void stderrLine(String line, boolean truncated) {
        if (line == null) {
            return;
        }
        synchronized (lock) {
            try {
                relayStderr(line, truncated);
            } catch (RuntimeException e) {
                reportRelayFailure("stderr", e);
            }
        }
    }

    /** Relays one stdout line that was not cut. */
    public void stdoutLine(String line) {
        stdoutLine(line, false);
    }

    /**
     * Relays one line that the plugin printed on stdout, at INFO with the prefix {@code stdout: }.
     *
     * @param line the line without its terminator; {@code null} is ignored
     * @param truncated whether the reader cut the line
     */
    public void stdoutLine(String line, boolean truncated) {
        if (line == null) {
            return;
        }
        synchronized (lock) {
            try {
                relayStdout(line, truncated);
            } catch (RuntimeException e) {
                reportRelayFailure("stdout", e);
            }
        }
    }

    /**
     * Relays a chunk of the GRPCStdio stream. Chunks are split into lines per channel, and a partial
     * line waits for the next chunk of its channel or for {@link #flush()}.
     *
     * @param stderr {@code true} for the STDERR channel, {@code false} for STDOUT
     * @param data the chunk; {@code null} is ignored
     */
    public void stdioData(boolean stderr, byte[] data) {
        if (data == null || data.length == 0) {
            return;
        }
        synchronized (lock) {
            try {
                if (stderr) {
                    stderrAssembler.append(data, this::relayStderr);
                } else {
                    stdoutAssembler.append(data, this::relayStdout);
                }
            } catch (RuntimeException e) {
                reportRelayFailure("stdio", e);
            }
        }
    }

    /**
     * Relays pending partial GRPCStdio lines and reports lines dropped by the rate limit that were
     * not reported yet. Call it when the plugin's output ends.
     */
    public void flush() {
        synchronized (lock) {
            try {
                stdoutAssembler.flush(this::relayStdout);
                stderrAssembler.flush(this::relayStderr);
                reportDropped();
            } catch (RuntimeException e) {
                reportRelayFailure("flush", e);
            }
        }
    }

    /**
     * Returns the last {@value #TAIL_LINES} stderr lines from the pipe and the GRPCStdio stream,
     * redacted, each cut to {@value #TAIL_LINE_LENGTH} characters, joined with {@code \n}, or an
     * empty string when there were none. Lines dropped by the rate limit are included.
     */
    public String stderrTail() {
        synchronized (lock) {
            return String.join("\n", tail);
        }
    }

    /** Returns how many lines the rate limit has dropped so far. */
    public long droppedLines() {
        synchronized (lock) {
            return droppedTotal;
        }
    }

    /** Returns how many relayed lines were cut so far. */
    public long truncatedLines() {
        synchronized (lock) {
            return truncatedTotal;
        }
    }

    private void relayStderr(String rawLine, boolean truncated) {
        String line = limitLength(rawLine);
        truncated |= line.length() < rawLine.length();
        String redacted = truncated ? redactor.redactCutEnd(line) : redactor.redact(line);
        addToTail(redacted);
        if (truncated) {
            noteTruncated();
        }

        // A cut line is no complete JSON object, so like go-plugin it is relayed as plain text. JSON
        // is parsed before redaction because decoding escapes can rebuild a secret, so the decoded
        // message is redacted instead. Plain text is classified after redaction.
        ParsedLine parsed = truncated ? null : parser.parseJson(line);
        String message;
        if (parsed != null) {
            message = parsed.message() == null ? redacted : redactor.redact(parsed.message());
        } else {
            parsed = parser.parsePlain(redacted);
            message = parsed.message();
        }

        Level level = parsed.level();
        switch (parsed.kind()) {
            case JSON, TAGGED -> panicMode = false;
            case UNTAGGED -> {
                if (redacted.startsWith("panic: ") || redacted.startsWith("fatal error: ")) {
                    panicMode = true;
                }
                if (panicMode) {
                    level = Level.ERROR;
                }
            }
        }

        emit(level, message);
    }

    private void relayStdout(String rawLine, boolean truncated) {
        String line = limitLength(rawLine);
        truncated |= line.length() < rawLine.length();
        String redacted = truncated ? redactor.redactCutEnd(line) : redactor.redact(line);
        if (truncated) {
            noteTruncated();
        }
        emit(Level.INFO, STDOUT_PREFIX + redacted);
    }

    private String limitLength(String line) {
        return BoundedLineReader.cut(line, maxLineLength);
    }

    private void addToTail(String redactedLine) {
        if (tail.size() == TAIL_LINES) {
            tail.removeFirst();
        }
        tail.addLast(BoundedLineReader.cut(redactedLine, TAIL_LINE_LENGTH));
    }

    /** Logs the cut-lines WARN on the first cut line and then at most once a minute. */
    private void noteTruncated() {
        truncatedTotal++;
        truncatedSinceWarning++;
        long now = nanoClock.getAsLong();
        if (truncationWarned && now - lastTruncationWarningNanos < TRUNCATION_WARNING_INTERVAL_NANOS) {
            return;
        }
        truncationWarned = true;
        lastTruncationWarningNanos = now;
        logger.warn("plugin {}: log lines longer than {} characters are cut to that length "
                + "({} cut since the last warning, {} in total)",
                pluginName, maxLineLength, truncatedSinceWarning, truncatedTotal);
        truncatedSinceWarning = 0;
    }

    /** Logs {@code message} unless the level is disabled or the rate limit is reached. */
    private void emit(Level level, String message) {
        if (!logger.isEnabledForLevel(level)) {
            return;
        }

        long now = nanoClock.getAsLong();
        if (now - windowStartNanos >= WINDOW_NANOS) {
            reportDropped();
            windowStartNanos = now;
            loggedInWindow = 0;
        }
        if (loggedInWindow >= maxLinesPerSecond) {
            droppedInWindow++;
            droppedTotal++;
            return;
        }
        loggedInWindow++;

        switch (level) {
            case TRACE -> logger.trace(message);
            case DEBUG -> logger.debug(message);
            case INFO -> logger.info(message);
            case WARN -> logger.warn(message);
            case ERROR -> logger.error(message);
        }
    }

    private void reportDropped() {
        if (droppedInWindow == 0) {
            return;
        }
        logger.warn("plugin {}: dropped {} log lines in the last second (rate limit {}/s)",
                pluginName, droppedInWindow, maxLinesPerSecond);
        droppedInWindow = 0;
    }

    /** Reports a failure of the logging backend, which must not stop the plugin's output readers. */
    private void reportRelayFailure(String source, RuntimeException e) {
        try {
            logger.warn("plugin {}: failed to relay a {} log line", pluginName, source, e);
        } catch (RuntimeException ignored) {
            // The logging backend itself fails, so there is nowhere left to report it.
        }
    }
}
