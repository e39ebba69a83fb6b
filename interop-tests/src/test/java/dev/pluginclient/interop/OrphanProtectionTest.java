package dev.pluginclient.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A host JVM killed with SIGKILL runs no shutdown hook; the plugins it started must still be gone
 * within 2 seconds. The Go plugin does not watch its stdin or parent, so only the host's own
 * protection can end it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OrphanProtectionTest {

    @Test
    void pluginDiesWithKilledHost() throws Exception {
        Path plugin = Peers.get().goCalculatorPlugin();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                OrphanHostMain.class.getName(), plugin.toString()));
        Process host = new ProcessBuilder(command).redirectErrorStream(true).start();
        long pluginPid = -1;
        try (BufferedReader output = new BufferedReader(
                new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = output.readLine()) != null) {
                if (line.startsWith("PLUGIN_PID=")) {
                    pluginPid = Long.parseLong(line.substring("PLUGIN_PID=".length()));
                    break;
                }
            }
        }
        assertThat(pluginPid).as("plugin pid printed by the host JVM").isPositive();
        assertThat(ProcessHandle.of(pluginPid).map(ProcessHandle::isAlive)).contains(true);

        host.destroyForcibly();
        host.waitFor(10, TimeUnit.SECONDS);
        long killedAt = System.nanoTime();

        long deadline = killedAt + TimeUnit.SECONDS.toNanos(2);
        boolean alive = true;
        while (System.nanoTime() < deadline) {
            alive = isRunning(pluginPid);
            if (!alive) {
                break;
            }
            Thread.sleep(20);
        }
        long goneAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        if (alive) {
            ProcessHandle.of(pluginPid).ifPresent(ProcessHandle::destroyForcibly);
        }
        assertThat(alive).as("plugin pid %d still alive 2 s after its host was killed", pluginPid).isFalse();
        System.out.println("Plugin gone " + goneAfterMillis + " ms after SIGKILL of its host");
    }

    /**
     * Tells whether a process still runs. A zombie does not: it is dead and only waits for whoever
     * inherited it (pid 1 here) to collect its status, which some container init processes do late.
     */
    private static boolean isRunning(long pid) {
        try {
            String stat = java.nio.file.Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The state letter follows the command name, which is in parentheses and may contain spaces.
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (java.io.IOException gone) {
            return false;
        }
    }
}
