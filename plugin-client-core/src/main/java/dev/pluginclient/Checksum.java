package dev.pluginclient;

import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * The expected SHA-256 digest of a plugin executable, written {@code sha256:<64 hex digits>}. The
 * host checks it before every start and restart.
 *
 * <p>It protects against a binary that was replaced on disk since the digest was taken from a
 * trusted source. It does not protect against a swap between the check and the exec, nor against
 * libraries, scripts or JAR files the executable loads.
 */
public final class Checksum {

    private static final String PREFIX = "sha256:";

    private final byte[] sha256;

    private Checksum(byte[] sha256) {
        this.sha256 = sha256;
    }

    /** Parses {@code sha256:<hex>}; a bare 64-digit hex string is accepted too. */
    public static Checksum parse(String text) {
        Objects.requireNonNull(text, "text");
        String value = text.trim();
        if (value.toLowerCase(Locale.ROOT).startsWith(PREFIX)) {
            value = value.substring(PREFIX.length());
        } else if (value.contains(":")) {
            throw new IllegalArgumentException("unsupported checksum algorithm in '" + text
                    + "': only sha256 is supported, written sha256:<64 hex digits>");
        }
        if (value.length() != 64) {
            throw new IllegalArgumentException("invalid SHA-256 checksum '" + text + "': expected 64 hex digits, got "
                    + value.length() + " characters");
        }
        try {
            return new Checksum(HexFormat.of().parseHex(value));
        } catch (IllegalArgumentException notHex) {
            throw new IllegalArgumentException("invalid SHA-256 checksum '" + text + "': " + notHex.getMessage(),
                    notHex);
        }
    }

    public static Checksum ofSha256(byte[] digest) {
        if (digest.length != 32) {
            throw new IllegalArgumentException("a SHA-256 digest has 32 bytes, got " + digest.length);
        }
        return new Checksum(digest.clone());
    }

    public byte[] sha256() {
        return sha256.clone();
    }

    public String hex() {
        return HexFormat.of().formatHex(sha256);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Checksum that && java.security.MessageDigest.isEqual(sha256, that.sha256);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(sha256);
    }

    @Override
    public String toString() {
        return PREFIX + hex();
    }
}
