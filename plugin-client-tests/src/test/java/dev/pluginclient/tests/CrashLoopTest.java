package dev.pluginclient.tests;

import static dev.pluginclient.tests.CalculatorPlugin.calculator;
import static dev.pluginclient.tests.CalculatorPlugin.pair;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.pluginclient.ErrorCode;
import dev.pluginclient.PluginClient;
import dev.pluginclient.PluginException;
import dev.pluginclient.PluginUnavailableException;
import dev.pluginclient.event.PluginEvent;
import dev.pluginclient.supervision.PluginState;
import dev.pluginclient.supervision.PluginStatus;
import dev.pluginclient.supervision.RestartPolicy;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A plugin that crashes on every start uses up its restart budget, with backoff, and is then FAILED. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CrashLoopTest {

    private static final int MAX_RESTARTS = 3;
    private static final Duration INITIAL_BACKOFF = Duration.ofMillis(200);

    @Test
    void crashLoopEndsFailedWithReason(@TempDir Path directory) throws Exception {
        Path startLog = directory.resolve("starts.log");
        // The shell appends a line per start, then becomes the plugin's JVM.
        String script = "echo start >> '" + startLog + "'; exec " + String.join(" ", quoted(CalculatorPlugin.command()));
        RestartPolicy restart = new RestartPolicy(true, MAX_RESTARTS, Duration.ofMinutes(1), INITIAL_BACKOFF,
                Duration.ofSeconds(2), 2.0, 0.2);
        List<PluginEvent> events = new CopyOnWriteArrayList<>();
        PluginClient client = PluginClient.builder(CalculatorPlugin.config("calculator-crash-loop")
                        .command("/bin/sh", "-c", script)
                        .environment("CALCULATOR_CRASH_ON_START", "3")
                        .build())
                .restart(restart)
                .listener(events::add)
                .build();

        try {
            long started = System.nanoTime();
            Throwable failure = catchThrowable(client::start);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);

            assertThat(failure).as("start() failure").isInstanceOf(PluginException.class);
            assertThat(client.state()).isEqualTo(PluginState.FAILED);
            PluginStatus status = client.status();
            assertThat(status.restarts()).as("restarts").isEqualTo(MAX_RESTARTS);
            assertThat(status.lastError()).as("last error").contains("restart budget")
                    .contains("exiting with status 3 before the handshake");
            assertThat(events).filteredOn(PluginEvent.RestartScheduled.class::isInstance).hasSize(MAX_RESTARTS);
            assertThat(events).filteredOn(PluginEvent.StateChanged.class::isInstance)
                    .map(event -> ((PluginEvent.StateChanged) event).to())
                    .endsWith(PluginState.FAILED);

            // No busy loop: one start per budget slot, and the backoff between them was waited.
            assertThat(Files.readAllLines(startLog)).as("process starts").hasSize(MAX_RESTARTS + 1);
            Duration minimumBackoff = Duration.ofMillis((long) (INITIAL_BACKOFF.toMillis() * 0.8 * (1 + 2 + 4)));
            assertThat(elapsed).as("time until FAILED").isGreaterThanOrEqualTo(minimumBackoff);
            Thread.sleep(1_000);
            assertThat(Files.readAllLines(startLog)).as("process starts after FAILED").hasSize(MAX_RESTARTS + 1);
            System.out.printf("Crash loop: FAILED after %d starts in %d ms; last error: %s%n", MAX_RESTARTS + 1,
                    elapsed.toMillis(), status.lastError());

            Throwable callFailure = catchThrowable(() -> calculator(client).add(pair(1, 1)));
            assertThat(callFailure).isInstanceOf(StatusRuntimeException.class);
            assertThat(callFailure.getCause()).isInstanceOf(PluginUnavailableException.class);
            assertThat(((PluginUnavailableException) callFailure.getCause()).code()).isEqualTo(ErrorCode.PLUGIN_FAILED);
            assertThat(CalculatorPlugin.descendantProcesses()).as("plugin processes left").isLessThanOrEqualTo(1);
        } finally {
            client.stop();
        }
    }

    private static List<String> quoted(List<String> words) {
        return words.stream().map(word -> "'" + word.replace("'", "'\\''") + "'").toList();
    }
}
