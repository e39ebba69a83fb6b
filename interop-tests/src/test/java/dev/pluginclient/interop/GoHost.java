package dev.pluginclient.interop;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Go host ({@code go-host}, built on go-plugin 1.0.1) against a plugin command and parses
 * its output lines. Each output line is a record name followed by {@code key=value} fields, for
 * example {@code result metric=start_to_first_call_median value=8.6 unit=ms} or
 * {@code exit pid=4711 code=0 signal=none kill_ms=3.1}.
 */
public final class GoHost {

    private final Path executable;

    public GoHost(Path executable) {
        this.executable = executable;
    }

    /** The Go host built by {@link Peers}. */
    public static GoHost fromPeers() {
        return new GoHost(Peers.get().goHost());
    }

    /**
     * Runs {@code go-host MODE FLAGS... -- PLUGIN_COMMAND...} and waits up to {@code timeout}. On
     * timeout it kills the host and its plugin and returns a run whose exit code is {@code null}.
     */
    public Run run(String mode, List<String> flags, List<String> pluginCommand, Duration timeout)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.add(mode);
        if (!flags.contains("-log-level")) {
            // Debug level makes the host pass on every stderr line of the plugin, for failure messages.
            command.add("-log-level");
            command.add("debug");
        }
        command.addAll(flags);
        command.add("--");
        command.addAll(pluginCommand);

        // go-plugin hands the host's stdin to the plugin. It stays open for the whole run, as a
        // terminal would, because the Java plugin treats end of file on stdin as the host's death.
        Process process = new ProcessBuilder(command).start();
        StreamCollector stdout = StreamCollector.start(process.getInputStream(), "go-host-stdout");
        StreamCollector stderr = StreamCollector.start(process.getErrorStream(), "go-host-stderr");

        boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            Peers.destroyWithDescendants(process);
            process.waitFor(10, TimeUnit.SECONDS);
        }
        process.getOutputStream().close();
        stdout.awaitEnd(Duration.ofSeconds(5));
        stderr.awaitEnd(Duration.ofSeconds(5));
        return new Run(command, finished ? process.exitValue() : null, stdout.lines(), stderr.text());
    }

    /**
     * One finished (or killed) run of the Go host.
     *
     * @param command the full command line
     * @param exitCode the host's exit status, or {@code null} if it timed out and was killed
     * @param stdoutLines the host's output lines
     * @param stderr the host's log output, which includes the plugin's stderr lines
     */
    public record Run(List<String> command, Integer exitCode, List<String> stdoutLines, String stderr) {

        /** Fields of the first output line that starts with {@code record}, such as "exit". */
        public Optional<Map<String, String>> record(String record) {
            return stdoutLines.stream()
                    .filter(line -> line.startsWith(record + " "))
                    .findFirst()
                    .map(GoHost::parseFields);
        }

        /** Values of all {@code result metric=NAME value=NUMBER} lines, by metric name. */
        public Map<String, Double> metrics() {
            Map<String, Double> metrics = new LinkedHashMap<>();
            for (String line : stdoutLines) {
                if (line.startsWith("result metric=")) {
                    Map<String, String> fields = parseFields(line);
                    metrics.put(fields.get("metric"), Double.parseDouble(fields.get("value")));
                }
            }
            return metrics;
        }

        /** Text for assertion messages: the command, exit status, output and log. */
        public String describe() {
            return "go-host run " + command + "\nexit status: " + (exitCode == null ? "timed out" : exitCode)
                    + "\nstdout:\n" + String.join("\n", stdoutLines) + "\nstderr:\n" + stderr;
        }

    }

    static Map<String, String> parseFields(String line) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String token : line.trim().split("\\s+")) {
            int equals = token.indexOf('=');
            if (equals > 0) {
                fields.put(token.substring(0, equals), token.substring(equals + 1));
            }
        }
        return fields;
    }

}
