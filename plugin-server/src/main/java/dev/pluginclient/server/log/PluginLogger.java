package dev.pluginclient.server.log;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Objects;

/**
 * A logger that writes hclog JSON lines to the process's real standard error.
 *
 * <p>go-plugin hosts parse every stderr line of a plugin that is a JSON object with {@code @level},
 * {@code @message}, {@code @module} and {@code @timestamp} keys and re-log it at that level, with the
 * remaining keys as fields. Other lines are logged as plain text at debug level.
 *
 * <p>The logger writes to {@link FileDescriptor#err} and not to {@link System#err}, because the
 * plugin server redirects {@code System.err} into the GRPCStdio stream after the handshake.
 * Key-value arguments come in pairs: {@code log.info("added", "a", 1, "b", 2)}. Never pass secrets
 * such as the magic cookie value or certificates.
 *
 * <p>The minimum level comes from the environment variable {@code PLUGIN_LOG_LEVEL} ({@code trace},
 * {@code debug}, {@code info}, {@code warn}, {@code error} or {@code off}) and defaults to
 * {@code info}. Instances are immutable and thread-safe.
 */
public final class PluginLogger {

    /** The environment variable that sets the minimum level of every plugin logger. */
    public static final String LEVEL_ENV = "PLUGIN_LOG_LEVEL";

    // hclog's JSON timestamp layout is Go's "2006-01-02T15:04:05.000000Z07:00".
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSXXX", Locale.ROOT);

    private static final OutputStream REAL_STDERR = new FileOutputStream(FileDescriptor.err);

    private static final Level MIN_LEVEL = Level.parse(System.getenv(LEVEL_ENV), Level.INFO);

    private final String module;

    private PluginLogger(String module) {
        this.module = module;
    }

    /** Returns a logger whose lines carry the given {@code @module} name. */
    public static PluginLogger named(String module) {
        Objects.requireNonNull(module, "module");
        return new PluginLogger(module);
    }

    /** Returns the {@code @module} name of this logger. */
    public String module() {
        return module;
    }

    public boolean isEnabled(Level level) {
        return level.ordinal() >= MIN_LEVEL.ordinal() && MIN_LEVEL != Level.OFF;
    }

    public void trace(String message, Object... keyValues) {
        log(Level.TRACE, message, keyValues);
    }

    public void debug(String message, Object... keyValues) {
        log(Level.DEBUG, message, keyValues);
    }

    public void info(String message, Object... keyValues) {
        log(Level.INFO, message, keyValues);
    }

    public void warn(String message, Object... keyValues) {
        log(Level.WARN, message, keyValues);
    }

    public void error(String message, Object... keyValues) {
        log(Level.ERROR, message, keyValues);
    }

    /**
     * Writes one JSON line at the given level. A key without a value gets the value
     * {@code "(missing)"}; a {@link Throwable} value is written as its {@code toString()}.
     */
    public void log(Level level, String message, Object... keyValues) {
        if (level == Level.OFF || !isEnabled(level)) {
            return;
        }
        byte[] line = format(level, message, keyValues).getBytes(StandardCharsets.UTF_8);
        synchronized (REAL_STDERR) {
            try {
                REAL_STDERR.write(line);
                REAL_STDERR.flush();
            } catch (IOException e) {
                // The host closed our stderr: there is nowhere left to report this.
            }
        }
    }

    String format(Level level, String message, Object... keyValues) {
        StringBuilder json = new StringBuilder(128);
        json.append("{\"@level\":\"").append(level.hclogName()).append('"');
        json.append(",\"@message\":");
        appendString(json, String.valueOf(message));
        json.append(",\"@module\":");
        appendString(json, module);
        json.append(",\"@timestamp\":\"").append(TIMESTAMP.format(ZonedDateTime.now())).append('"');

        Object[] pairs = keyValues == null ? new Object[0] : keyValues;
        for (int i = 0; i < pairs.length; i += 2) {
            json.append(',');
            appendString(json, String.valueOf(pairs[i]));
            json.append(':');
            appendValue(json, i + 1 < pairs.length ? pairs[i + 1] : "(missing)");
        }
        return json.append("}\n").toString();
    }

    private static void appendValue(StringBuilder json, Object value) {
        if (value instanceof Number || value instanceof Boolean) {
            json.append(value);
        } else {
            appendString(json, String.valueOf(value));
        }
    }

    private static void appendString(StringBuilder json, String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    /** Log levels with their hclog names. */
    public enum Level {
        TRACE("trace"), DEBUG("debug"), INFO("info"), WARN("warn"), ERROR("error"), OFF("off");

        private final String hclogName;

        Level(String hclogName) {
            this.hclogName = hclogName;
        }

        public String hclogName() {
            return hclogName;
        }

        static Level parse(String name, Level fallback) {
            if (name == null || name.isBlank()) {
                return fallback;
            }
            for (Level level : values()) {
                if (level.hclogName.equalsIgnoreCase(name.trim())) {
                    return level;
                }
            }
            return fallback;
        }
    }
}
