package dev.pluginclient.log;

import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Replaces every occurrence of a secret in a line by {@value #REPLACEMENT}.
 *
 * <p>Matches of all secrets are found in the original line first and then replaced together, so
 * overlapping secrets are covered by one marker and a short secret never matches inside a marker
 * that an earlier secret inserted.
 */
final class SecretRedactor {

    static final String REPLACEMENT = "<redacted>";

    /**
     * Shortest secret prefix that {@link #redactCutEnd} removes from the end of a cut line. Shorter
     * prefixes match ordinary text too often and reveal almost nothing of a secret.
     */
    private static final int MIN_CUT_PREFIX_LENGTH = 4;

    private final List<String> secrets;

    SecretRedactor(Collection<String> secrets) {
        this.secrets = secrets == null
                ? List.of()
                : secrets.stream()
                        .filter(Objects::nonNull)
                        .filter(secret -> !secret.isEmpty())
                        .distinct()
                        .sorted(Comparator.comparingInt(String::length).reversed())
                        .toList();
    }

    /** Returns {@code line} with every occurrence of a secret replaced. */
    String redact(String line) {
        if (secrets.isEmpty() || line.isEmpty()) {
            return line;
        }

        BitSet masked = null;
        for (String secret : secrets) {
            int index = line.indexOf(secret);
            while (index >= 0) {
                if (masked == null) {
                    masked = new BitSet(line.length());
                }
                masked.set(index, index + secret.length());
                index = line.indexOf(secret, index + 1);
            }
        }
        if (masked == null) {
            return line;
        }
        return replaceMasked(line, masked);
    }

    /**
     * Redacts a line that was cut at its end, where a secret may have been cut in the middle. Besides
     * whole secrets, a trailing start of a secret of at least {@value #MIN_CUT_PREFIX_LENGTH}
     * characters is replaced too.
     */
    String redactCutEnd(String line) {
        String redacted = redact(line);
        for (String secret : secrets) {
            for (int length = Math.min(secret.length() - 1, redacted.length());
                    length >= Math.min(MIN_CUT_PREFIX_LENGTH, secret.length() - 1) && length > 0;
                    length--) {
                if (redacted.regionMatches(redacted.length() - length, secret, 0, length)) {
                    return redacted.substring(0, redacted.length() - length) + REPLACEMENT;
                }
            }
        }
        return redacted;
    }

    private static String replaceMasked(String line, BitSet masked) {
        StringBuilder result = new StringBuilder(line.length());
        int position = 0;
        while (position < line.length()) {
            int start = masked.nextSetBit(position);
            if (start < 0) {
                result.append(line, position, line.length());
                break;
            }
            int end = masked.nextClearBit(start);
            result.append(line, position, start).append(REPLACEMENT);
            position = end;
        }
        return result.toString();
    }
}
