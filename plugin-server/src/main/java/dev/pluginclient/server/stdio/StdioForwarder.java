package dev.pluginclient.server.stdio;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import dev.pluginclient.protocol.GRPCStdioGrpc;
import dev.pluginclient.protocol.StdioData;
import dev.pluginclient.server.log.PluginLogger;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The plugin side of go-plugin's GRPCStdio service: what the plugin writes to {@code System.out}
 * and {@code System.err} after the handshake travels to the host as {@link StdioData} messages.
 *
 * <p>Writes never block. They go into a bounded buffer that one sender thread drains into the
 * stream whenever the host has opened it and gRPC flow control allows more data. When the buffer
 * is full, new output is dropped and counted, and the host later receives a notice with the number
 * of dropped bytes on the stderr channel. So a chatty plugin keeps serving calls even when its
 * host never reads the stream, which go-plugin 1.0.1 hosts do not.
 */
public final class StdioForwarder extends GRPCStdioGrpc.GRPCStdioImplBase implements AutoCloseable {

    /** Default size of the buffer for output the host has not received yet. */
    public static final int DEFAULT_BUFFER_BYTES = 1 << 20;

    private static final int MAX_MESSAGE_BYTES = 64 * 1024;
    private static final int MAX_CHUNK_BYTES = 8 * 1024;
    // Counted per queued chunk on top of its data, so that many tiny writes cannot exceed the bound.
    private static final int CHUNK_OVERHEAD_BYTES = 64;

    private final PluginLogger log;
    private final int capacityBytes;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Chunk> queue = new ArrayDeque<>();
    private int queuedBytes;
    private long droppedBytes;
    private long totalDroppedBytes;
    private ServerCallStreamObserver<StdioData> stream;
    private boolean closed;

    private final Thread sender;

    public StdioForwarder(PluginLogger log, int capacityBytes) {
        if (capacityBytes < MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("stdio buffer must hold at least " + MAX_CHUNK_BYTES
                    + " bytes, got " + capacityBytes);
        }
        this.log = log;
        this.capacityBytes = capacityBytes;
        this.sender = new Thread(this::sendLoop, "plugin-stdio-sender");
        this.sender.setDaemon(true);
        this.sender.start();
    }

    /** Returns a print stream whose bytes travel on the given channel. */
    public PrintStream printStream(StdioData.Channel channel) {
        return new PrintStream(new ChannelOutputStream(channel), true, StandardCharsets.UTF_8);
    }

    /** Returns the number of bytes dropped so far because the buffer was full. */
    public long droppedBytes() {
        lock.lock();
        try {
            return totalDroppedBytes;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void streamStdio(Empty request, StreamObserver<StdioData> responseObserver) {
        ServerCallStreamObserver<StdioData> opened = (ServerCallStreamObserver<StdioData>) responseObserver;
        opened.setOnReadyHandler(this::signal);
        opened.setOnCancelHandler(() -> detach(opened));

        ServerCallStreamObserver<StdioData> replaced;
        lock.lock();
        try {
            if (closed) {
                opened.onCompleted();
                return;
            }
            // go-plugin hosts open the stream once; a second stream (say, after the host reconnected)
            // takes over and the first one ends.
            replaced = stream;
            stream = opened;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (replaced != null) {
            completeQuietly(replaced);
        }
        log.debug("host opened the stdio stream");
    }

    /** Ends the open stream, if any, after sending what is buffered within a short time. */
    @Override
    public void close() {
        ServerCallStreamObserver<StdioData> open;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
            while (stream != null && !queue.isEmpty() && System.nanoTime() < deadline) {
                changed.awaitNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            closed = true;
            open = stream;
            stream = null;
            changed.signalAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } finally {
            lock.unlock();
        }
        if (open != null) {
            completeQuietly(open);
        }
    }

    void write(StdioData.Channel channel, byte[] bytes, int offset, int length) {
        if (length <= 0) {
            return;
        }
        boolean firstDrop = false;
        lock.lock();
        try {
            if (queuedBytes + length + CHUNK_OVERHEAD_BYTES > capacityBytes) {
                firstDrop = droppedBytes == 0;
                droppedBytes += length;
                totalDroppedBytes += length;
            } else {
                queuedBytes += append(channel, bytes, offset, length);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (firstDrop) {
            log.warn("dropping plugin stdout/stderr output because the host does not read the stdio stream",
                    "buffer_bytes", capacityBytes);
        }
    }

    // Returns the bytes to count against the buffer: the data plus the overhead of new chunks.
    private int append(StdioData.Channel channel, byte[] bytes, int offset, int length) {
        Chunk last = queue.peekLast();
        int position = offset;
        int remaining = length;
        int accounted = length;
        if (last != null && last.channel == channel) {
            int taken = last.append(bytes, position, remaining);
            position += taken;
            remaining -= taken;
        }
        while (remaining > 0) {
            Chunk chunk = new Chunk(channel);
            int taken = chunk.append(bytes, position, remaining);
            position += taken;
            remaining -= taken;
            queue.addLast(chunk);
            accounted += CHUNK_OVERHEAD_BYTES;
        }
        return accounted;
    }

    private void sendLoop() {
        while (true) {
            ServerCallStreamObserver<StdioData> target;
            StdioData message;
            lock.lock();
            try {
                while (!closed && (stream == null || !stream.isReady() || (queue.isEmpty() && droppedBytes == 0))) {
                    // The timed wait covers a readiness change that raced with the check above.
                    changed.await(100, TimeUnit.MILLISECONDS);
                }
                if (closed) {
                    return;
                }
                target = stream;
                message = nextMessage();
                changed.signalAll();
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            try {
                target.onNext(message);
            } catch (RuntimeException e) {
                // The call was cancelled or completed between the check and the send.
                detach(target);
            }
        }
    }

    // Called with the lock held: a drop notice first, then up to MAX_MESSAGE_BYTES of one channel.
    private StdioData nextMessage() {
        if (droppedBytes > 0) {
            String notice = "[plugin-server] dropped " + droppedBytes
                    + " bytes of stdout/stderr output because the host did not read the stdio stream fast enough\n";
            droppedBytes = 0;
            return StdioData.newBuilder()
                    .setChannel(StdioData.Channel.STDERR)
                    .setData(ByteString.copyFromUtf8(notice))
                    .build();
        }
        StdioData.Channel channel = queue.peekFirst().channel;
        ByteString data = ByteString.EMPTY;
        while (!queue.isEmpty() && queue.peekFirst().channel == channel
                && data.size() + queue.peekFirst().length <= MAX_MESSAGE_BYTES) {
            Chunk chunk = queue.pollFirst();
            queuedBytes -= chunk.length + CHUNK_OVERHEAD_BYTES;
            data = data.concat(ByteString.copyFrom(chunk.bytes, 0, chunk.length));
        }
        return StdioData.newBuilder().setChannel(channel).setData(data).build();
    }

    private void detach(ServerCallStreamObserver<StdioData> observer) {
        lock.lock();
        try {
            if (stream == observer) {
                stream = null;
            }
        } finally {
            lock.unlock();
        }
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static void completeQuietly(ServerCallStreamObserver<StdioData> observer) {
        try {
            observer.onCompleted();
        } catch (RuntimeException e) {
            // Already cancelled by the host.
        }
    }

    private static final class Chunk {
        final StdioData.Channel channel;
        byte[] bytes = new byte[0];
        int length;

        Chunk(StdioData.Channel channel) {
            this.channel = channel;
        }

        int append(byte[] source, int offset, int count) {
            int taken = Math.min(count, MAX_CHUNK_BYTES - length);
            if (length + taken > bytes.length) {
                int grown = Math.max(length + taken, Math.min(MAX_CHUNK_BYTES, Math.max(256, bytes.length * 2)));
                bytes = Arrays.copyOf(bytes, grown);
            }
            System.arraycopy(source, offset, bytes, length, taken);
            length += taken;
            return taken;
        }
    }

    private final class ChannelOutputStream extends OutputStream {
        private final StdioData.Channel channel;

        ChannelOutputStream(StdioData.Channel channel) {
            this.channel = channel;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            StdioForwarder.this.write(channel, bytes, offset, length);
        }
    }
}
