package dev.pluginclient.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pluginclient.HandshakeConfig;
import dev.pluginclient.PluginClient;
import dev.pluginclient.PluginConfig;
import dev.pluginclient.calculator.v1.BinaryRequest;
import dev.pluginclient.calculator.v1.CalculatorGrpc;
import dev.pluginclient.calculator.v1.FaultInjectionGrpc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Builds configs and stubs for the Java calculator plugin, and sends signals to its processes. */
final class CalculatorPlugin {

    static final String COOKIE_KEY = "CALCULATOR_PLUGIN";
    static final String COOKIE_VALUE = "calculator-v1-7d2f4c";
    static final String IDEMPOTENT_SERVICE = "calculator.v1.Calculator/*";
    private static final String JAR = "calculator-plugin/target/calculator-plugin.jar";

    private CalculatorPlugin() {
    }

    /** Returns the plugin's fat jar, which the calculator-plugin module builds. */
    static Path jar() {
        Path root = Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
        // repo.root is the directory Maven started in: the repository root, or this module when run with -f.
        for (Path directory = root; directory != null; directory = directory.getParent()) {
            Path jar = directory.resolve(JAR);
            if (Files.isRegularFile(jar)) {
                return jar;
            }
        }
        throw new AssertionError("calculator plugin jar " + JAR + " not found in " + root
                + " or its parents; build the calculator-plugin module first (mvn -pl calculator-plugin package)");
    }

    /** Returns the command that starts the plugin with the running JVM's java, tuned for a fast start. */
    static List<String> command() {
        List<String> command = new ArrayList<>();
        Path jar = jar();
        command.add(javaExecutable());
        // Start-up tuning only: the AppCDS archive that calculator-plugin builds beside its jar, and
        // C1 alone. With both, a start takes well under a second instead of several on a busy machine.
        Path archive = jar.resolveSibling("calculator-plugin.jsa");
        if (Files.isRegularFile(archive)) {
            command.add("-XX:SharedArchiveFile=" + archive);
        }
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-jar");
        command.add(jar.toString());
        return command;
    }

    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static PluginConfig.Builder config(String name) {
        return PluginConfig.builder(name)
                .command(command())
                .handshake(HandshakeConfig.of(COOKIE_KEY, COOKIE_VALUE, 1))
                .startTimeout(Duration.ofSeconds(30))
                .shutdownTimeout(Duration.ofSeconds(2));
    }

    static CalculatorGrpc.CalculatorBlockingStub calculator(PluginClient client) {
        return CalculatorGrpc.newBlockingStub(client.channel());
    }

    static FaultInjectionGrpc.FaultInjectionBlockingStub faults(PluginClient client) {
        return FaultInjectionGrpc.newBlockingStub(client.channel());
    }

    static BinaryRequest pair(long a, long b) {
        return BinaryRequest.newBuilder().setA(a).setB(b).build();
    }

    /** SIGKILL, as {@code kill -9} sends it. */
    static void kill(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    /** Sends a signal with the kill command, for the signals that ProcessHandle cannot send. */
    static void signal(String signal, long pid) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).as("kill -%s %d finished", signal, pid).isTrue();
            assertThat(kill.exitValue()).as("exit status of kill -%s %d", signal, pid).isZero();
        } catch (IOException failure) {
            throw new IllegalStateException("cannot run kill -" + signal + " " + pid, failure);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running kill", interrupted);
        }
    }

    static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    static long openFileDescriptors() {
        try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
            return descriptors.count();
        } catch (IOException failure) {
            throw new IllegalStateException("cannot list /proc/self/fd", failure);
        }
    }

    static long descendantProcesses() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count();
    }
}
