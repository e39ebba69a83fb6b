package dev.pluginclient.calculator.plugin;

import dev.pluginclient.server.GoPluginServer;
import dev.pluginclient.server.RunningPlugin;
import dev.pluginclient.server.Transport;
import dev.pluginclient.server.log.PluginLogger;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The calculator plugin: serves calculator.v1.Calculator and calculator.v1.FaultInjection as a
 * go-plugin plugin with magic cookie {@code CALCULATOR_PLUGIN=calculator-v1-7d2f4c}.
 *
 * <p>Environment switches, read once at start for tests and demos:
 * <ul>
 *   <li>{@code CALCULATOR_CRASH_ON_START=<status>}: print a message on stderr and exit with that
 *       status before the handshake.</li>
 *   <li>{@code CALCULATOR_START_DELAY_MS=<millis>}: wait that long before the handshake.</li>
 *   <li>{@code CALCULATOR_PRINT_BEFORE_HANDSHAKE=<text>}: print that line on stdout before the
 *       handshake line, as a broken plugin would.</li>
 *   <li>{@code CALCULATOR_TRANSPORT=unix|tcp}: the listener kind (PLUGIN_TRANSPORT still wins).</li>
 *   <li>{@code CALCULATOR_PROTOCOL_VERSIONS=<n,...>}: the protocol versions served, default 1.</li>
 * </ul>
 * With the single argument {@code --cds-training} it runs {@link CdsTraining} instead.
 */
public final class CalculatorPlugin {

    public static final String COOKIE_KEY = "CALCULATOR_PLUGIN";
    public static final String COOKIE_VALUE = "calculator-v1-7d2f4c";

    static final String CRASH_ON_START_ENV = "CALCULATOR_CRASH_ON_START";
    static final String START_DELAY_ENV = "CALCULATOR_START_DELAY_MS";
    static final String PRINT_BEFORE_HANDSHAKE_ENV = "CALCULATOR_PRINT_BEFORE_HANDSHAKE";
    static final String TRANSPORT_ENV = "CALCULATOR_TRANSPORT";
    static final String PROTOCOL_VERSIONS_ENV = "CALCULATOR_PROTOCOL_VERSIONS";

    private static final PluginLogger LOG = GoPluginServer.logger("calculator");

    private CalculatorPlugin() {
    }

    public static void main(String[] args) {
        if (args.length == 1 && args[0].equals("--cds-training")) {
            System.exit(CdsTraining.run());
        }

        Map<String, String> env = System.getenv();
        try {
            applyStartSwitches(env);
            AtomicReference<RunningPlugin> running = new AtomicReference<>();
            serverBuilder(env, running).build().serve(running::set);
        } catch (IllegalArgumentException e) {
            printOnStderr("calculator plugin: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Returns a builder with the calculator's cookie, services and fault interceptor. */
    static GoPluginServer.Builder serverBuilder(Map<String, String> env, AtomicReference<RunningPlugin> running) {
        Faults faults = new Faults();
        GoPluginServer.Builder builder = GoPluginServer.builder()
                .magicCookie(COOKIE_KEY, COOKIE_VALUE)
                .intercept(faults)
                .transport(transport(env));
        for (int version : protocolVersions(env)) {
            builder.version(version, new CalculatorService(), new FaultInjectionService(LOG, faults, running::get));
        }
        return builder;
    }

    private static void applyStartSwitches(Map<String, String> env) {
        String crash = env.get(CRASH_ON_START_ENV);
        if (crash != null && !crash.isBlank()) {
            int status = parseInt(CRASH_ON_START_ENV, crash, "an exit status");
            printOnStderr("calculator plugin: exiting with status " + status + " before the handshake because "
                    + CRASH_ON_START_ENV + " is set");
            System.exit(status);
        }

        String delay = env.get(START_DELAY_ENV);
        if (delay != null && !delay.isBlank()) {
            int millis = parseInt(START_DELAY_ENV, delay, "a delay in milliseconds");
            try {
                TimeUnit.MILLISECONDS.sleep(Math.max(0, millis));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        String junk = env.get(PRINT_BEFORE_HANDSHAKE_ENV);
        if (junk != null) {
            System.out.println(junk);
            System.out.flush();
        }
    }

    private static Transport transport(Map<String, String> env) {
        String value = env.get(TRANSPORT_ENV);
        if (value == null || value.isBlank()) {
            return Transport.UNIX;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "unix" -> Transport.UNIX;
            case "tcp" -> Transport.TCP;
            default -> throw new IllegalArgumentException("invalid " + TRANSPORT_ENV + " value \"" + value.trim()
                    + "\"; expected unix or tcp");
        };
    }

    private static int[] protocolVersions(Map<String, String> env) {
        String value = env.getOrDefault(PROTOCOL_VERSIONS_ENV, "1");
        try {
            int[] versions = java.util.Arrays.stream(value.split(",")).map(String::trim)
                    .filter(entry -> !entry.isEmpty()).mapToInt(Integer::parseInt).distinct().toArray();
            if (versions.length == 0) {
                throw new NumberFormatException();
            }
            return versions;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid " + PROTOCOL_VERSIONS_ENV + " value \"" + value
                    + "\"; expected comma-separated version numbers such as 1,2");
        }
    }

    private static int parseInt(String name, String value, String expected) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid " + name + " value \"" + value.trim() + "\"; expected "
                    + expected);
        }
    }

    private static void printOnStderr(String message) {
        try {
            OutputStream stderr = new FileOutputStream(FileDescriptor.err);
            stderr.write((message + "\n").getBytes(StandardCharsets.UTF_8));
            stderr.flush();
        } catch (IOException e) {
            // The exit status still reports the failure to the host.
        }
    }
}
