package dev.pluginclient.log;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.event.Level;

/**
 * Classifies one line of plugin stderr the way go-plugin's host does (go-plugin 1.0.1
 * {@code Client.logStderr} and {@code parseJSON}): hclog JSON entries, plain-text lines with a
 * level tag such as {@code [WARN]}, and untagged lines.
 *
 * <p>Unlike go-plugin, a plain-text tag may follow a timestamp (hclog's text format and Go's
 * {@code log} package put one first), and the tag and timestamp are removed from the message.
 * Any line that is not a JSON object with {@code @level} or {@code @message} is plain text, so
 * invalid JSON never raises an error. Instances are immutable and thread-safe.
 */
final class StderrLineParser {

    /** Kind of a parsed stderr line, which decides how it affects panic mode. */
    enum Kind {
        /** An hclog JSON entry. */
        JSON,
        /** Plain text with a level tag. */
        TAGGED,
        /** Plain text without a level tag. */
        UNTAGGED
    }

    /**
     * One classified line. {@code message} is not redacted yet, and it is {@code null} when the
     * whole line is to be logged verbatim.
     */
    record ParsedLine(Kind kind, Level level, String message) {
    }

    private static final String MESSAGE_KEY = "@message";
    private static final String LEVEL_KEY = "@level";
    private static final String TIMESTAMP_KEY = "@timestamp";

    /**
     * Optional leading timestamp, either RFC 3339 as hclog writes it
     * ({@code 2024-01-01T00:00:00.000Z}, {@code 2024-01-01T00:00:00.000+0100}) or Go's {@code log}
     * default ({@code 2024/01/01 00:00:00}), then the level tag and the padding after it.
     */
    private static final Pattern LEVEL_TAG = Pattern.compile(
            "(?:(?:\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?(?:Z|[+-]\\d{2}:?\\d{2})?"
                    + "|\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?)[ \\t]+)?"
                    + "\\[(TRACE|DEBUG|INFO|WARN|ERROR)\\][ \\t]*");

    private static final Map<String, Level> TAG_LEVELS = Map.of(
            "TRACE", Level.TRACE,
            "DEBUG", Level.DEBUG,
            "INFO", Level.INFO,
            "WARN", Level.WARN,
            "ERROR", Level.ERROR);

    private final ObjectMapper mapper = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * Classifies {@code line} as an hclog JSON entry. Never throws.
     *
     * @return the entry, or {@code null} when the line is not a JSON object with {@code @level} or
     *     {@code @message} and so is plain text
     */
    ParsedLine parseJson(String line) {
        if (!looksLikeJsonObject(line)) {
            return null;
        }

        JsonNode tree;
        try {
            tree = mapper.readTree(line);
        } catch (JsonProcessingException | RuntimeException e) {
            // Invalid JSON, or JSON beyond Jackson's nesting, number or string limits: plain text.
            return null;
        }
        if (!(tree instanceof ObjectNode entry) || !(entry.has(LEVEL_KEY) || entry.has(MESSAGE_KEY))) {
            return null;
        }

        try {
            Level level = levelOf(entry.get(LEVEL_KEY));
            if (level == null) {
                // Without a known level this is probably not hclog output, so it is kept verbatim.
                return new ParsedLine(Kind.JSON, Level.DEBUG, null);
            }
            return new ParsedLine(Kind.JSON, level, format(entry));
        } catch (JsonProcessingException | RuntimeException e) {
            return null;
        }
    }

    /** Classifies {@code line} as plain text with or without a level tag. Never throws. */
    ParsedLine parsePlain(String line) {
        Matcher matcher = LEVEL_TAG.matcher(line);
        if (matcher.lookingAt()) {
            Level level = TAG_LEVELS.get(matcher.group(1));
            return new ParsedLine(Kind.TAGGED, level, line.substring(matcher.end()));
        }
        return new ParsedLine(Kind.UNTAGGED, Level.DEBUG, line);
    }

    private static boolean looksLikeJsonObject(String line) {
        int start = 0;
        int end = line.length() - 1;
        while (start <= end && Character.isWhitespace(line.charAt(start))) {
            start++;
        }
        while (end >= start && Character.isWhitespace(line.charAt(end))) {
            end--;
        }
        return start < end && line.charAt(start) == '{' && line.charAt(end) == '}';
    }

    /** Maps an hclog level name, ignoring case and surrounding blanks as hclog does. */
    private static Level levelOf(JsonNode node) {
        if (node == null || !node.isTextual()) {
            return null;
        }
        return switch (node.asText().trim().toLowerCase(Locale.ROOT)) {
            case "trace" -> Level.TRACE;
            case "debug" -> Level.DEBUG;
            case "info" -> Level.INFO;
            case "warn", "warning" -> Level.WARN;
            case "error" -> Level.ERROR;
            default -> null;
        };
    }

    /**
     * Formats an entry as its message followed by {@code key=value} for every other field in
     * document order. {@code @timestamp} is left out because the host logger adds its own, and
     * other {@code @} fields such as {@code @module} lose the {@code @}.
     */
    private String format(ObjectNode entry) throws JsonProcessingException {
        JsonNode message = entry.get(MESSAGE_KEY);
        StringBuilder result = new StringBuilder();
        if (message != null) {
            result.append(message.isTextual() ? message.asText() : mapper.writeValueAsString(message));
        }

        for (Map.Entry<String, JsonNode> field : entry.properties()) {
            String key = field.getKey();
            if (key.equals(MESSAGE_KEY) || key.equals(LEVEL_KEY) || key.equals(TIMESTAMP_KEY)) {
                continue;
            }
            if (key.startsWith("@")) {
                key = key.substring(1);
            }
            if (!result.isEmpty()) {
                result.append(' ');
            }
            result.append(key).append('=').append(formatValue(field.getValue()));
        }
        return result.toString();
    }

    /**
     * Formats a field value. Strings are written bare unless they are empty or contain blanks,
     * quotes or {@code =}, where they are JSON-quoted so the pair stays readable. Other values are
     * written as compact JSON.
     */
    private String formatValue(JsonNode value) throws JsonProcessingException {
        if (value.isTextual() && !needsQuoting(value.asText())) {
            return value.asText();
        }
        return mapper.writeValueAsString(value);
    }

    private static boolean needsQuoting(String text) {
        if (text.isEmpty()) {
            return true;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || c == '"' || c == '=') {
                return true;
            }
        }
        return false;
    }
}
