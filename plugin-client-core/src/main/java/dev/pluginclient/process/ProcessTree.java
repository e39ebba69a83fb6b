package dev.pluginclient.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Signals a plugin process, its descendants and its process group. */
final class ProcessTree {

    private static final Path KILL = Path.of("/bin/kill");

    private ProcessTree() {
    }

    /** Sends SIGTERM to the process and every descendant. */
    static void terminate(ProcessHandle process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        descendants.forEach(ProcessHandle::destroy);
    }

    /**
     * Sends SIGKILL to the process, every descendant, and (when it leads one) its process group,
     * which also reaches children that were re-parented after their parent died.
     */
    static void kill(ProcessHandle process, boolean groupLeader) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        if (groupLeader) {
            killGroup(process.pid());
        }
    }

    static void killGroup(long processGroup) {
        if (!Files.isExecutable(KILL)) {
            return;
        }
        try {
            Process kill = new ProcessBuilder(KILL.toString(), "-KILL", "--", "-" + processGroup)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            kill.waitFor(2, TimeUnit.SECONDS);
        } catch (IOException failure) {
            // Descendants were signalled directly; the group kill only catches stragglers.
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
