package dev.pluginclient.log;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Line reader for a plugin's stdout or stderr pipe that keeps memory bounded however long a line
 * is.
 *
 * <p>Bytes are decoded as UTF-8, and malformed input is replaced by U+FFFD instead of raising an
 * error. NUL bytes pass through as U+0000. A line ends at {@code \n}, and one {@code \r} directly
 * before it is removed as well. A line longer than {@code maxLineLength} characters is cut to that
 * length, and the rest of it is read and discarded without being stored, so a plugin that writes an
 * endless line cannot exhaust the host's heap.
 *
 * <p>Reads from the underlying stream go through an internal buffer. Instances are not thread-safe,
 * because each pipe has one reading thread.
 */
public final class BoundedLineReader implements Closeable {

    private static final int READ_BUFFER_SIZE = 8192;

    /**
     * Maximum UTF-8 bytes per decoded {@code char}. A BMP character takes at most 3 bytes, and a
     * replaced malformed sequence yields at least one {@code char} per 3 bytes, so this many bytes
     * per character always decode to at least {@code maxLineLength} characters.
     */
    private static final int MAX_BYTES_PER_CHAR = 3;

    private final InputStream in;
    private final int maxLineLength;
    private final int maxLineBytes;

    private final byte[] readBuffer = new byte[READ_BUFFER_SIZE];
    private int readPosition;
    private int readLimit;
    private boolean endOfStream;

    private byte[] lineBytes = new byte[256];
    private int lineByteCount;

    private boolean lastLineTruncated;
    private long truncatedLines;

    /**
     * Creates a reader over {@code in}.
     *
     * @param in the stream to read, closed by {@link #close()}
     * @param maxLineLength the maximum number of characters returned for one line, at least 1
     * @throws IllegalArgumentException if {@code maxLineLength} is less than 1
     */
    public BoundedLineReader(InputStream in, int maxLineLength) {
        this.in = Objects.requireNonNull(in, "in");
        if (maxLineLength < 1) {
            throw new IllegalArgumentException(
                    "maxLineLength must be at least 1 but was " + maxLineLength);
        }
        this.maxLineLength = maxLineLength;
        this.maxLineBytes = (int) Math.min((long) maxLineLength * MAX_BYTES_PER_CHAR + MAX_BYTES_PER_CHAR,
                Integer.MAX_VALUE - 16);
    }

    /**
     * Reads the next line.
     *
     * @return the line without its terminator, cut to {@code maxLineLength} characters, or
     *     {@code null} at the end of the stream
     * @throws IOException if the underlying stream fails
     */
    public String readLine() throws IOException {
        lineByteCount = 0;
        boolean lineStarted = false;
        boolean bytesDropped = false;

        while (true) {
            if (readPosition == readLimit && !fill()) {
                if (!lineStarted) {
                    lastLineTruncated = false;
                    return null;
                }
                return finishLine(bytesDropped);
            }
            lineStarted = true;

            int newline = indexOfNewline(readBuffer, readPosition, readLimit);
            int end = newline < 0 ? readLimit : newline;
            bytesDropped |= appendCapped(readBuffer, readPosition, end - readPosition);

            if (newline >= 0) {
                readPosition = newline + 1;
                return finishLine(bytesDropped);
            }
            readPosition = readLimit;
        }
    }

    /** Returns whether the line most recently returned by {@link #readLine()} was cut. */
    public boolean lastLineTruncated() {
        return lastLineTruncated;
    }

    /** Returns how many lines this reader has cut so far. */
    public long truncatedLines() {
        return truncatedLines;
    }

    /** Returns the maximum number of characters returned for one line. */
    public int maxLineLength() {
        return maxLineLength;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private boolean fill() throws IOException {
        if (endOfStream) {
            return false;
        }
        int count;
        do {
            count = in.read(readBuffer, 0, readBuffer.length);
        } while (count == 0);
        if (count < 0) {
            endOfStream = true;
            return false;
        }
        readPosition = 0;
        readLimit = count;
        return true;
    }

    private static int indexOfNewline(byte[] buffer, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buffer[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Appends up to the byte cap and returns whether any byte had to be discarded. */
    private boolean appendCapped(byte[] source, int offset, int length) {
        int room = maxLineBytes - lineByteCount;
        int copied = Math.min(room, length);
        if (copied > 0) {
            ensureCapacity(lineByteCount + copied);
            System.arraycopy(source, offset, lineBytes, lineByteCount, copied);
            lineByteCount += copied;
        }
        return copied < length;
    }

    private void ensureCapacity(int required) {
        if (required <= lineBytes.length) {
            return;
        }
        long doubled = (long) lineBytes.length * 2;
        int newLength = (int) Math.min(Math.max(doubled, required), maxLineBytes);
        lineBytes = Arrays.copyOf(lineBytes, newLength);
    }

    private String finishLine(boolean bytesDropped) {
        int length = lineByteCount;

        // The \r of a CRLF ending is the last stored byte. When bytes were dropped, that \r was
        // dropped with them and the last stored byte belongs to the middle of the line.
        if (!bytesDropped && length > 0 && lineBytes[length - 1] == '\r') {
            length--;
        }

        String line = new String(lineBytes, 0, length, StandardCharsets.UTF_8);
        boolean truncated = bytesDropped;
        if (line.length() > maxLineLength) {
            line = cut(line, maxLineLength);
            truncated = true;
        }

        lastLineTruncated = truncated;
        if (truncated) {
            truncatedLines++;
        }
        return line;
    }

    /** Cuts {@code text} to at most {@code maxLength} characters without splitting a surrogate pair. */
    static String cut(String text, int maxLength) {
        if (text.length() <= maxLength) {
            return text;
        }
        int end = maxLength;
        if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end);
    }
}
