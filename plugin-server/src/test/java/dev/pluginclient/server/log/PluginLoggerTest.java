package dev.pluginclient.server.log;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PluginLoggerTest {

    @Test
    void formatWritesHclogJsonLine() {
        String line = PluginLogger.named("calc").format(PluginLogger.Level.WARN, "slow \"call\"\n",
                "millis", 12, "ok", true, "name", "add");

        assertThat(line).startsWith("{\"@level\":\"warn\",\"@message\":\"slow \\\"call\\\"\\n\",\"@module\":\"calc\"");
        assertThat(line).matches(".*\"@timestamp\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}(Z|[+-]\\d\\d:\\d\\d)\".*\\n");
        assertThat(line).contains(",\"millis\":12,\"ok\":true,\"name\":\"add\"}");
    }

    @Test
    void keyWithoutValueIsMarked() {
        String line = PluginLogger.named("calc").format(PluginLogger.Level.INFO, "m", "lonely");

        assertThat(line).contains("\"lonely\":\"(missing)\"");
    }
}
