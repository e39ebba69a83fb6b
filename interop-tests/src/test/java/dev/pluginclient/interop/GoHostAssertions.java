package dev.pluginclient.interop;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Checks shared by the tests that run {@code go-host smoke} against a plugin. */
final class GoHostAssertions {

    private GoHostAssertions() {
    }

    /**
     * Asserts that the host started the plugin, got 8 from Add(5, 3), and that the plugin process
     * exited by itself with status 0 after go-plugin's Kill (GRPCController.Shutdown first).
     */
    static void assertSmokeSucceeded(GoHost.Run run, boolean autoMtls) {
        assertThat(run.exitCode()).as(run.describe()).isZero();

        Map<String, String> plugin = run.record("plugin").orElseThrow(() ->
                new AssertionError("no 'plugin' line\n" + run.describe()));
        assertThat(plugin).as(run.describe())
                .containsEntry("protocol", "grpc")
                .containsEntry("version", "1")
                .containsEntry("automtls", Boolean.toString(autoMtls));

        Map<String, String> result = run.record("result").orElseThrow(() ->
                new AssertionError("no 'result' line\n" + run.describe()));
        assertThat(result).as(run.describe()).containsEntry("value", "8");

        Map<String, String> exit = run.record("exit").orElseThrow(() ->
                new AssertionError("no 'exit' line\n" + run.describe()));
        assertThat(exit).as(run.describe())
                .containsEntry("pid", plugin.get("pid"))
                .containsEntry("code", "0")
                .containsEntry("signal", "none");
        // go-plugin 1.0.1 sends SIGKILL after waiting 2 s for the exit, which would show as signal=killed.
        assertThat(run.stderr()).as(run.describe()).doesNotContain("plugin failed to exit gracefully");
    }

}
