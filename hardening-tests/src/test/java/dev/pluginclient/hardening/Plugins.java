package dev.pluginclient.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pluginclient.HandshakeConfig;
import dev.pluginclient.PluginConfig;
import dev.pluginclient.calculator.v1.BinaryRequest;
import dev.pluginclient.calculator.v1.CalculatorGrpc;
import dev.pluginclient.calculator.v1.FaultInjectionGrpc;
import dev.pluginclient.process.OrphanReaper;
import io.grpc.Channel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Configs, stubs and scripts for the plugins these tests start. */
final class Plugins {

    static final String COOKIE_KEY = "CALCULATOR_PLUGIN";
    static final String COOKIE_VALUE = "calculator-v1-7d2f4c";

    private Plugins() {
    }

    /** Returns the calculator plugin's fat jar, which the calculator-plugin module builds. */
    static Path calculatorJar() {
        Path root = Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
        Path relative = Path.of("calculator-plugin", "target", "calculator-plugin.jar");
        // With `mvn -f hardening-tests/pom.xml` the multi-module directory is this module itself.
        Path jar = Files.isRegularFile(root.resolve(relative)) ? root.resolve(relative)
                : root.getParent().resolve(relative);
        assertThat(jar).as("calculator plugin jar; build the calculator-plugin module first").isRegularFile();
        return jar;
    }

    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Returns the calculator plugin's JVM options and jar, tuned for a fast start on C1 and the serial collector. */
    static List<String> calculatorArguments() {
        return List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m", "-jar",
                calculatorJar().toString());
    }

    static PluginConfig.Builder calculator(String name) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(calculatorArguments());
        return withDefaults(PluginConfig.builder(name).command(command));
    }

    /** Returns a config for a script plugin, with the calculator's cookie so the script can exec the calculator. */
    static PluginConfig.Builder script(String name, Path script) {
        return withDefaults(PluginConfig.builder(name).command(List.of(script.toString())));
    }

    private static PluginConfig.Builder withDefaults(PluginConfig.Builder builder) {
        return builder
                .handshake(HandshakeConfig.of(COOKIE_KEY, COOKIE_VALUE, 1))
                .startTimeout(Duration.ofSeconds(30))
                .shutdownTimeout(Duration.ofSeconds(2));
    }

    /** Returns the shell command line that replaces the script's shell with the calculator plugin. */
    static String execCalculator() {
        StringBuilder line = new StringBuilder("exec '").append(javaExecutable()).append('\'');
        for (String argument : calculatorArguments()) {
            line.append(" '").append(argument).append('\'');
        }
        return line.toString();
    }

    /** Writes an executable {@code /bin/sh} script. */
    static Path writeScript(Path directory, String name, String... lines) throws IOException {
        Path script = directory.resolve(name);
        Files.writeString(script, "#!/bin/sh\n" + String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    static CalculatorGrpc.CalculatorBlockingStub calculator(Channel channel) {
        return CalculatorGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    static FaultInjectionGrpc.FaultInjectionBlockingStub faults(Channel channel) {
        return FaultInjectionGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    static BinaryRequest pair(long a, long b) {
        return BinaryRequest.newBuilder().setA(a).setB(b).build();
    }

    /** Child processes of this JVM except the orphan watchdog, which lives as long as the JVM. */
    static List<ProcessHandle> pluginProcesses() {
        long watchdog = OrphanReaper.instance().watchdogPid();
        return ProcessHandle.current().descendants()
                .filter(ProcessHandle::isAlive)
                .filter(process -> process.pid() != watchdog)
                .toList();
    }

    /** Waits up to 10 s for every plugin process and its children to be gone. */
    static void assertNoPluginProcesses() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<ProcessHandle> left = pluginProcesses();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            left = pluginProcesses();
        }
        assertThat(left.stream().map(process -> process.pid() + " " + process.info().commandLine().orElse("?")))
                .as("processes left behind").isEmpty();
    }
}
