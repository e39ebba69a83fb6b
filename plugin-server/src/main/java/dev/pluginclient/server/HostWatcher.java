package dev.pluginclient.server;

import dev.pluginclient.server.log.PluginLogger;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Stops the plugin when its host is gone, so that a plugin never outlives its host as an orphan.
 * Two signals count: the parent process id changing, and standard input reaching end of file.
 *
 * <p>Standard input is watched only when the host sets {@value #STDIN_LIFELINE_ENV}, as
 * plugin-client's host does: it keeps that pipe open for the plugin's whole life. go-plugin's Go
 * host instead hands over its own standard input, which may be a terminal, /dev/null or a pipe
 * that its caller closed long ago, so end of file there is no sign that the host is gone.
 */
final class HostWatcher {

    /** Set to {@code 1} by hosts that keep the plugin's stdin pipe open until they go away. */
    static final String STDIN_LIFELINE_ENV = "PLUGIN_CLIENT_STDIN_LIFELINE";

    private static final long PARENT_POLL_MILLIS = 1000;

    private final PluginLogger log;
    private final Consumer<String> hostGone;
    private final AtomicBoolean fired = new AtomicBoolean();

    private HostWatcher(PluginLogger log, Consumer<String> hostGone) {
        this.log = log;
        this.hostGone = hostGone;
    }

    /** Starts the daemon threads that call {@code hostGone} once, with the reason, when the host is gone. */
    static void start(PluginLogger log, Consumer<String> hostGone, boolean stdinLifeline) {
        HostWatcher watcher = new HostWatcher(log, hostGone);
        watcher.watchParent();
        if (stdinLifeline && stdinIsPipe()) {
            watcher.watchStdin();
        } else {
            log.debug("not watching stdin for end of file: the host did not set " + STDIN_LIFELINE_ENV
                    + " or stdin is not a pipe");
        }
    }

    private void watchParent() {
        long parentPid = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "plugin-parent-watch");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(() -> {
            long current = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
            if (current != parentPid) {
                fire("parent process " + parentPid + " is gone");
                timer.shutdown();
            }
        }, PARENT_POLL_MILLIS, PARENT_POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void watchStdin() {
        Thread reader = new Thread(() -> {
            // Reads the real file descriptor: System.in may be replaced by plugin code.
            InputStream stdin = new FileInputStream(FileDescriptor.in);
            byte[] discard = new byte[4096];
            try {
                while (stdin.read(discard) >= 0) {
                    // Hosts send nothing on stdin; the open pipe only shows that the host is alive.
                }
                fire("stdin reached end of file");
            } catch (IOException e) {
                fire("stdin failed: " + e.getMessage());
            }
        }, "plugin-stdin-watch");
        reader.setDaemon(true);
        reader.start();
    }

    private void fire(String reason) {
        if (fired.compareAndSet(false, true)) {
            log.info("host process is gone, stopping the plugin", "reason", reason);
            hostGone.accept(reason);
        }
    }

    // A terminal or /dev/null on stdin is no sign of the host's state. /proc exists only on Linux.
    private static boolean stdinIsPipe() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString();
            return target.startsWith("pipe:") || target.startsWith("socket:");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
