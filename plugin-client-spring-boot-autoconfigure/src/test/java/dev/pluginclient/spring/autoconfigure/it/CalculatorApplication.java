package dev.pluginclient.spring.autoconfigure.it;

import dev.pluginclient.calculator.v1.BinaryRequest;
import dev.pluginclient.calculator.v1.CalculatorGrpc;
import dev.pluginclient.calculator.v1.CrashRequest;
import dev.pluginclient.calculator.v1.FaultInjectionGrpc;
import dev.pluginclient.spring.autoconfigure.retry.annotation.PluginCall;
import dev.pluginclient.spring.autoconfigure.stub.PluginStub;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Service;

/** A small application that hosts the Java calculator plugin, as a user's application would. */
@SpringBootApplication
public class CalculatorApplication {

    /** Returns the calculator plugin's fat jar, built by the calculator-plugin module. */
    public static Path calculatorJar() {
        String root = System.getProperty("repo.root", "..");
        Path jar = Path.of(root, "calculator-plugin", "target", "calculator-plugin.jar").toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("The calculator plugin jar " + jar + " is missing: build it with "
                    + "'mvn -pl calculator-plugin package' first");
        }
        return jar;
    }

    /** Returns the properties of a plugin that runs the calculator jar. */
    public static String[] calculatorPlugin(String name) {
        String prefix = "plugin-client.plugins." + name + ".";
        return new String[] {
                prefix + "command[0]=" + Path.of(System.getProperty("java.home"), "bin", "java"),
                prefix + "command[1]=-jar",
                prefix + "command[2]=" + calculatorJar(),
                prefix + "handshake.magic-cookie-key=CALCULATOR_PLUGIN",
                prefix + "handshake.magic-cookie-value=calculator-v1-7d2f4c",
                prefix + "handshake.protocol-versions=1" };
    }

    /** Calls the calculator through injected stubs. */
    @Service
    public static class CalculatorService {

        @PluginStub("calculator")
        CalculatorGrpc.CalculatorBlockingStub calculator;

        private final FaultInjectionGrpc.FaultInjectionBlockingStub fragileFaults;

        @PluginStub("fragile")
        CalculatorGrpc.CalculatorBlockingStub fragile;

        @PluginStub("lazycalc")
        CalculatorGrpc.CalculatorBlockingStub lazy;

        public CalculatorService(@PluginStub("fragile") FaultInjectionGrpc.FaultInjectionBlockingStub fragileFaults) {
            this.fragileFaults = fragileFaults;
        }

        public long add(long a, long b) {
            return calculator.add(BinaryRequest.newBuilder().setA(a).setB(b).build()).getValue();
        }

        public long addLazily(long a, long b) {
            return lazy.add(BinaryRequest.newBuilder().setA(a).setB(b).build()).getValue();
        }

        @PluginCall(plugin = "fragile", fallbackMethod = "addLocally")
        public long addFragile(long a, long b) {
            return fragile.add(BinaryRequest.newBuilder().setA(a).setB(b).build()).getValue();
        }

        long addLocally(long a, long b, Throwable failure) {
            return -(a + b);
        }

        /** Makes the fragile plugin exit; with restarts turned off it then stays FAILED. */
        public void crashFragile() {
            try {
                fragileFaults.crash(CrashRequest.newBuilder().setExitCode(3).build());
            } catch (RuntimeException expected) {
                // The process exits before it sends a response.
            }
        }
    }
}
