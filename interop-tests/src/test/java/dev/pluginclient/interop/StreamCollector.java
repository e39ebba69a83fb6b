package dev.pluginclient.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Drains a child process's output stream on a daemon thread, so that the child never blocks on a
 * full pipe, and keeps the first {@value #MAX_KEPT_LINES} lines for assertions.
 */
public final class StreamCollector {

    private static final int MAX_KEPT_LINES = 10_000;

    private final List<String> lines = new ArrayList<>();
    private long droppedLines;
    private boolean ended;

    private StreamCollector() {
    }

    /** Starts draining {@code stream} on a daemon thread named after {@code name}. */
    public static StreamCollector start(InputStream stream, String name) {
        StreamCollector collector = new StreamCollector();
        Thread thread = new Thread(() -> collector.drain(stream), "drain-" + name);
        thread.setDaemon(true);
        thread.start();
        return collector;
    }

    private void drain(InputStream stream) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                add(line);
            }
        }
        catch (IOException ex) {
            // The process was destroyed while the stream was open; what was read so far stays.
        }
        finally {
            markEnded();
        }
    }

    private synchronized void add(String line) {
        if (lines.size() < MAX_KEPT_LINES) {
            lines.add(line);
        }
        else {
            droppedLines++;
        }
        notifyAll();
    }

    private synchronized void markEnded() {
        ended = true;
        notifyAll();
    }

    /** Waits up to {@code timeout} for the first line; empty if the stream ended or the time ran out. */
    public synchronized Optional<String> awaitFirstLine(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (lines.isEmpty() && !ended) {
            long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (remainingMillis <= 0) {
                break;
            }
            wait(remainingMillis);
        }
        return lines.isEmpty() ? Optional.empty() : Optional.of(lines.get(0));
    }

    /** Waits up to {@code timeout} for the end of the stream and returns whether it ended. */
    public synchronized boolean awaitEnd(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ended) {
            long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (remainingMillis <= 0) {
                return false;
            }
            wait(remainingMillis);
        }
        return true;
    }

    /** Copy of the lines kept so far. */
    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** The lines kept so far joined with line breaks, with a note when lines were dropped. */
    public synchronized String text() {
        String text = String.join("\n", lines);
        return droppedLines == 0 ? text : text + "\n[" + droppedLines + " more lines dropped]";
    }

}
