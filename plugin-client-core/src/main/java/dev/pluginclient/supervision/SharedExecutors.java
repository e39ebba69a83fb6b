package dev.pluginclient.supervision;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Executors shared by every {@link dev.pluginclient.PluginClient} in the JVM, so that idle plugins
 * cost no threads of their own. All threads are daemon threads named {@code plugin-client-*}.
 *
 * <p>The scheduler only fires timers (health checks, restarts, retries, deadlines) and never runs
 * blocking work. Blocking work (starting and stopping processes, health checks) runs on the worker
 * pool, whose idle threads end after 30 seconds.
 */
final class SharedExecutors {

    private static final int SCHEDULER_THREADS = 2;
    private static final long WORKER_KEEP_ALIVE_SECONDS = 30;

    private static final ScheduledThreadPoolExecutor SCHEDULER = createScheduler();
    private static final ThreadPoolExecutor WORKERS = createWorkers();

    private SharedExecutors() {
    }

    static ScheduledExecutorService scheduler() {
        return SCHEDULER;
    }

    static ExecutorService workers() {
        return WORKERS;
    }

    private static ScheduledThreadPoolExecutor createScheduler() {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(SCHEDULER_THREADS,
                daemonThreads("plugin-client-scheduler-"));
        // Cancelled timers (a call that completed before its deadline) must not pile up in the queue.
        scheduler.setRemoveOnCancelPolicy(true);
        return scheduler;
    }

    private static ThreadPoolExecutor createWorkers() {
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, WORKER_KEEP_ALIVE_SECONDS, TimeUnit.SECONDS,
                new SynchronousQueue<>(), daemonThreads("plugin-client-worker-"));
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
