package dev.pluginclient.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PluginListenerTest {

    @Test
    void absentPortsMeanAnyPort() {
        assertThat(PluginListener.portRange(Map.of())).containsExactly(0, 0);
    }

    @Test
    void portRangeIsParsed() {
        assertThat(PluginListener.portRange(Map.of("PLUGIN_MIN_PORT", "10000", "PLUGIN_MAX_PORT", " 25000 ")))
                .containsExactly(10000, 25000);
    }

    @Test
    void invalidPortValuesAreRejected() {
        assertThatThrownBy(() -> PluginListener.portRange(Map.of("PLUGIN_MIN_PORT", "ten", "PLUGIN_MAX_PORT", "20")))
                .isInstanceOf(PluginStartException.class)
                .hasMessageContaining("invalid PLUGIN_MIN_PORT value \"ten\"");
        assertThatThrownBy(() -> PluginListener.portRange(Map.of("PLUGIN_MIN_PORT", "1", "PLUGIN_MAX_PORT", "70000")))
                .isInstanceOf(PluginStartException.class)
                .hasMessageContaining("invalid PLUGIN_MAX_PORT value \"70000\"");
    }

    @Test
    void halfSetRangeIsRejected() {
        assertThatThrownBy(() -> PluginListener.portRange(Map.of("PLUGIN_MAX_PORT", "20")))
                .isInstanceOf(PluginStartException.class)
                .hasMessageContaining("PLUGIN_MIN_PORT is missing");
    }
}
