package dev.pluginclient.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BoundedLineReaderTest {

    @Test
    void readsLinesSeparatedByLf() throws IOException {
        assertThat(readAll("one\ntwo\n\nfour\n", 100)).containsExactly("one", "two", "", "four");
    }

    @Test
    void stripsCrOfCrlf() throws IOException {
        assertThat(readAll("one\r\ntwo\r\n", 100)).containsExactly("one", "two");
    }

    @Test
    void keepsCrInsideLine() throws IOException {
        assertThat(readAll("a\rb\n", 100)).containsExactly("a\rb");
    }

    @Test
    void returnsLastLineWithoutNewline() throws IOException {
        assertThat(readAll("one\ntwo", 100)).containsExactly("one", "two");
        assertThat(readAll("one\r\ntwo\r", 100)).containsExactly("one", "two");
    }

    @Test
    void returnsNullAtEndOfStream() throws IOException {
        try (BoundedLineReader reader = reader("only\n", 100)) {
            assertThat(reader.readLine()).isEqualTo("only");
            assertThat(reader.readLine()).isNull();
            assertThat(reader.readLine()).isNull();
        }
    }

    @Test
    void emptyStreamHasNoLines() throws IOException {
        assertThat(readAll("", 100)).isEmpty();
        assertThat(readAll("\n", 100)).containsExactly("");
    }

    @Test
    void replacesInvalidUtf8() throws IOException {
        byte[] input = {'a', (byte) 0xFF, 'b', '\n', (byte) 0xC3, '\n', (byte) 0xE2, (byte) 0x82, 'c'};
        try (BoundedLineReader reader = new BoundedLineReader(new ByteArrayInputStream(input), 100)) {
            assertThat(reader.readLine()).isEqualTo("a\uFFFDb");
            assertThat(reader.readLine()).isEqualTo("\uFFFD");
            assertThat(reader.readLine()).isEqualTo("\uFFFDc");
            assertThat(reader.readLine()).isNull();
        }
    }

    @Test
    void passesNulThrough() throws IOException {
        byte[] input = {'a', 0, 'b', '\n'};
        try (BoundedLineReader reader = new BoundedLineReader(new ByteArrayInputStream(input), 100)) {
            assertThat(reader.readLine()).isEqualTo("a\0b");
        }
    }

    @Test
    void decodesCharacterSplitAcrossBufferReads() throws IOException {
        String line = "a".repeat(8191) + "é€😀";
        assertThat(readAll(line + "\nnext\n", 10_000)).containsExactly(line, "next");
    }

    @Test
    void cutsLongLineAndSkipsRest() throws IOException {
        try (BoundedLineReader reader = reader("abcdefgh\nxy\nabcde\r\n", 5)) {
            assertThat(reader.readLine()).isEqualTo("abcde");
            assertThat(reader.lastLineTruncated()).isTrue();

            assertThat(reader.readLine()).isEqualTo("xy");
            assertThat(reader.lastLineTruncated()).isFalse();

            assertThat(reader.readLine()).isEqualTo("abcde");
            assertThat(reader.lastLineTruncated()).isFalse();

            assertThat(reader.readLine()).isNull();
            assertThat(reader.truncatedLines()).isEqualTo(1);
        }
    }

    @Test
    void cutsLongLineOfMultibyteCharacters() throws IOException {
        try (BoundedLineReader reader = reader("€".repeat(20) + "\nend", 4)) {
            assertThat(reader.readLine()).isEqualTo("€€€€");
            assertThat(reader.lastLineTruncated()).isTrue();
            assertThat(reader.readLine()).isEqualTo("end");
        }
    }

    @Test
    void cutDoesNotSplitSurrogatePair() throws IOException {
        try (BoundedLineReader reader = reader("ab😀cd\n", 3)) {
            assertThat(reader.readLine()).isEqualTo("ab");
            assertThat(reader.lastLineTruncated()).isTrue();
        }
    }

    @Test
    void fiftyMegabyteLineKeepsMemoryBounded() throws IOException {
        long lineBytes = 50L * 1024 * 1024;
        byte[] tail = "\nnext line\n".getBytes(StandardCharsets.US_ASCII);
        var threadBean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

        try (BoundedLineReader reader = new BoundedLineReader(new GeneratedLineStream(lineBytes, tail), 8192)) {
            long allocatedBefore = threadBean.getCurrentThreadAllocatedBytes();

            String first = reader.readLine();
            String second = reader.readLine();
            String end = reader.readLine();

            long allocated = threadBean.getCurrentThreadAllocatedBytes() - allocatedBefore;
            assertThat(first).hasSize(8192).matches("x+");
            assertThat(second).isEqualTo("next line");
            assertThat(end).isNull();
            assertThat(reader.truncatedLines()).isEqualTo(1);
            // Buffering the whole line would allocate at least 50 MB.
            assertThat(allocated).isLessThan(4L * 1024 * 1024);
        }
    }

    @Test
    void readsUnderlyingStreamInBlocks() throws IOException {
        byte[] content = ("line\n".repeat(1000)).getBytes(StandardCharsets.US_ASCII);
        CountingStream counting = new CountingStream(new ByteArrayInputStream(content));
        try (BoundedLineReader reader = new BoundedLineReader(counting, 100)) {
            int lines = 0;
            while (reader.readLine() != null) {
                lines++;
            }
            assertThat(lines).isEqualTo(1000);
        }
        assertThat(counting.singleByteReads).isZero();
        assertThat(counting.blockReads).isLessThanOrEqualTo(3);
    }

    @Test
    void closeClosesUnderlyingStream() throws IOException {
        CountingStream counting = new CountingStream(new ByteArrayInputStream(new byte[0]));
        new BoundedLineReader(counting, 10).close();
        assertThat(counting.closed).isTrue();
    }

    @Test
    void rejectsNonPositiveMaxLineLength() {
        assertThatThrownBy(() -> new BoundedLineReader(InputStream.nullInputStream(), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxLineLength must be at least 1 but was 0");
    }

    private static BoundedLineReader reader(String content, int maxLineLength) {
        return new BoundedLineReader(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)), maxLineLength);
    }

    private static List<String> readAll(String content, int maxLineLength) throws IOException {
        List<String> lines = new ArrayList<>();
        try (BoundedLineReader reader = reader(content, maxLineLength)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** Stream of {@code lineBytes} bytes of {@code x} followed by {@code tail}, generated on the fly. */
    private static final class GeneratedLineStream extends InputStream {

        private final long lineBytes;
        private final byte[] tail;
        private long position;

        GeneratedLineStream(long lineBytes, byte[] tail) {
            this.lineBytes = lineBytes;
            this.tail = tail;
        }

        @Override
        public int read() {
            throw new AssertionError("single-byte read from the underlying stream");
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            long total = lineBytes + tail.length;
            if (position >= total) {
                return -1;
            }
            int count = (int) Math.min(length, total - position);
            for (int i = 0; i < count; i++) {
                long index = position + i;
                buffer[offset + i] = index < lineBytes ? (byte) 'x' : tail[(int) (index - lineBytes)];
            }
            position += count;
            return count;
        }
    }

    private static final class CountingStream extends InputStream {

        private final InputStream delegate;
        private int singleByteReads;
        private int blockReads;
        private boolean closed;

        CountingStream(InputStream delegate) {
            this.delegate = delegate;
        }

        @Override
        public int read() throws IOException {
            singleByteReads++;
            return delegate.read();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            blockReads++;
            return delegate.read(buffer, offset, length);
        }

        @Override
        public void close() throws IOException {
            closed = true;
            delegate.close();
        }
    }
}
