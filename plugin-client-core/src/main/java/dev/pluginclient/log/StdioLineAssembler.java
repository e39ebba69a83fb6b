package dev.pluginclient.log;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.BiConsumer;

/**
 * Splits the byte chunks of one GRPCStdio channel into lines.
 *
 * <p>A chunk may contain several lines or part of one, and a multi-byte UTF-8 character may be split
 * between chunks. Lines are split on the {@code \n} byte, which never occurs inside a multi-byte
 * character, and decoded only when complete, so split characters decode correctly. A pending
 * partial line keeps at most about three bytes per allowed character, and the rest of a longer line
 * is dropped and the line reported as truncated. Not thread-safe: the owner synchronizes.
 */
final class StdioLineAssembler {

    private static final int MAX_BYTES_PER_CHAR = 3;

    private final int maxLineLength;
    private final int maxLineBytes;

    private byte[] pending = new byte[256];
    private int pendingCount;
    private boolean pendingStarted;
    private boolean pendingDropped;

    StdioLineAssembler(int maxLineLength) {
        this.maxLineLength = maxLineLength;
        this.maxLineBytes = (int) Math.min((long) maxLineLength * MAX_BYTES_PER_CHAR + MAX_BYTES_PER_CHAR,
                Integer.MAX_VALUE - 16);
    }

    /** Appends {@code data} and passes every completed line and its truncation flag to {@code sink}. */
    void append(byte[] data, BiConsumer<String, Boolean> sink) {
        int start = 0;
        for (int i = 0; i < data.length; i++) {
            if (data[i] == '\n') {
                appendCapped(data, start, i - start);
                emit(sink);
                start = i + 1;
            }
        }
        if (start < data.length) {
            appendCapped(data, start, data.length - start);
        }
    }

    /** Passes the pending partial line, if any, to {@code sink}. */
    void flush(BiConsumer<String, Boolean> sink) {
        if (pendingStarted) {
            emit(sink);
        }
    }

    private void appendCapped(byte[] data, int offset, int length) {
        pendingStarted = true;
        int copied = Math.min(maxLineBytes - pendingCount, length);
        if (copied > 0) {
            if (pendingCount + copied > pending.length) {
                long doubled = (long) pending.length * 2;
                long newLength = Math.min(Math.max(doubled, pendingCount + copied), maxLineBytes);
                pending = Arrays.copyOf(pending, (int) newLength);
            }
            System.arraycopy(data, offset, pending, pendingCount, copied);
            pendingCount += copied;
        }
        if (copied < length) {
            pendingDropped = true;
        }
    }

    private void emit(BiConsumer<String, Boolean> sink) {
        int length = pendingCount;
        if (!pendingDropped && length > 0 && pending[length - 1] == '\r') {
            length--;
        }

        String line = new String(pending, 0, length, StandardCharsets.UTF_8);
        boolean truncated = pendingDropped;
        if (line.length() > maxLineLength) {
            line = BoundedLineReader.cut(line, maxLineLength);
            truncated = true;
        }

        pendingCount = 0;
        pendingStarted = false;
        pendingDropped = false;
        if (pending.length > 64 * 1024) {
            // A single long line should not pin its buffer for the life of the plugin.
            pending = new byte[256];
        }
        sink.accept(line, truncated);
    }
}
