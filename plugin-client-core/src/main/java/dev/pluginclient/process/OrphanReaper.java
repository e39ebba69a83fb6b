package dev.pluginclient.process;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills this JVM's plugins when the JVM dies without running its shutdown hooks (SIGKILL, a crash,
 * the OOM killer), which go-plugin hosts cannot do.
 *
 * <p>A small {@code /bin/sh} watchdog process reads plugin pids from a pipe whose other end only
 * this JVM holds. When the JVM dies, the kernel closes the pipe, the watchdog reads end-of-file and
 * kills the process group of every pid still registered. Each plugin is started as the leader of
 * its own process group, so its children go with it. The watchdog ignores SIGINT, SIGTERM and
 * SIGHUP so that a Ctrl-C meant for the host does not take the watchdog down first.
 */
public final class OrphanReaper {

    private static final Logger LOG = LoggerFactory.getLogger(OrphanReaper.class);

    private static final String SCRIPT = String.join("\n",
            "trap '' INT TERM HUP",
            "pids=''",
            "while IFS= read -r line; do",
            "  case \"$line\" in",
            "    +*) pids=\"$pids ${line#+}\" ;;",
            "    -*) gone=${line#-}; kept=''; for p in $pids; do [ \"$p\" = \"$gone\" ] || kept=\"$kept $p\"; done; pids=$kept ;;",
            "  esac",
            "done",
            "for p in $pids; do kill -KILL -- \"-$p\" 2>/dev/null; kill -KILL \"$p\" 2>/dev/null; done",
            "exit 0");

    private static final OrphanReaper INSTANCE = new OrphanReaper();

    private Process watchdog;
    private OutputStream pipe;
    private boolean unavailable;

    private OrphanReaper() {
    }

    public static OrphanReaper instance() {
        return INSTANCE;
    }

    /** Registers a plugin pid; it is killed with its process group if this JVM dies. */
    public synchronized void register(long pid) {
        send("+" + pid);
    }

    /** Unregisters a pid that exited or was stopped, so a later process with the same pid is never touched. */
    public synchronized void unregister(long pid) {
        send("-" + pid);
    }

    /** The watchdog's pid, or -1 when it is not running; for tests. */
    public synchronized long watchdogPid() {
        return watchdog != null && watchdog.isAlive() ? watchdog.pid() : -1;
    }

    private void send(String line) {
        if (unavailable) {
            return;
        }
        try {
            ensureRunning();
            pipe.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            pipe.flush();
        } catch (IOException failure) {
            LOG.warn("The orphan watchdog is not available ({}); plugins may outlive this JVM if it is killed",
                    failure.getMessage());
            unavailable = true;
        }
    }

    private void ensureRunning() throws IOException {
        if (watchdog != null && watchdog.isAlive()) {
            return;
        }
        if (!Files.isExecutable(Path.of("/bin/sh"))) {
            throw new IOException("/bin/sh not found");
        }
        watchdog = new ProcessBuilder("/bin/sh", "-c", SCRIPT)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        pipe = watchdog.getOutputStream();
        LOG.debug("Started the orphan watchdog (pid {})", watchdog.pid());
    }
}
