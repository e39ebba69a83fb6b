package dev.pluginclient.supervision;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets through one log line per key and period, and counts the lines it held back so that the
 * next line can report them. A crash loop or a retry storm then logs a few lines a second instead
 * of thousands.
 */
final class RateLimitedLog {

    private final long periodNanos;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    RateLimitedLog(long period, TimeUnit unit) {
        this.periodNanos = unit.toNanos(period);
    }

    /**
     * Returns -1 when a line with this key must be dropped, else the number of lines dropped since
     * the last line that was let through.
     */
    long admit(String key) {
        Window window = windows.computeIfAbsent(key, ignored -> new Window());
        long now = System.nanoTime();
        synchronized (window) {
            if (window.lastLoggedNanos != 0 && now - window.lastLoggedNanos < periodNanos) {
                window.suppressed.incrementAndGet();
                return -1;
            }
            window.lastLoggedNanos = now;
            return window.suppressed.getAndSet(0);
        }
    }

    /** Returns a suffix such as {@code " (12 similar messages suppressed)"}, or an empty string. */
    static String suppressedSuffix(long suppressed) {
        return suppressed > 0 ? " (" + suppressed + " similar messages suppressed)" : "";
    }

    private static final class Window {
        private long lastLoggedNanos;
        private final AtomicLong suppressed = new AtomicLong();
    }
}
