package dev.pluginclient.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The generated configuration metadata that IDEs read for completion. */
class ConfigurationMetadataTests {

    @Test
    void everyPropertyDescribed() throws Exception {
        JsonNode metadata;
        try (InputStream input = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(input).as("generated metadata").isNotNull();
            metadata = JsonMapper.builder().build().readTree(input);
        }
        List<String> undescribed = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (JsonNode property : metadata.path("properties")) {
            String name = property.path("name").asString();
            names.add(name);
            if (property.path("description").asString("").isBlank()) {
                undescribed.add(name);
            }
        }
        assertThat(undescribed).isEmpty();
        assertThat(names).contains("plugin-client.enabled", "plugin-client.plugins",
                "plugin-client.defaults.call-timeout", "plugin-client.defaults.retry.max-attempts",
                "plugin-client.defaults.circuit-breaker.wait-in-open", "plugin-client.defaults.health.interval",
                "plugin-client.defaults.restart.max-restarts", "plugin-client.defaults.pool.size",
                "plugin-client.defaults.handshake.protocol-versions", "management.health.plugins.enabled");
    }

    @Test
    void defaultsRecorded() throws Exception {
        JsonNode metadata;
        try (InputStream input = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            metadata = JsonMapper.builder().build().readTree(input);
        }
        List<String> withDefault = new ArrayList<>();
        for (JsonNode property : metadata.path("properties")) {
            if (property.has("defaultValue")) {
                withDefault.add(property.path("name").asString() + "=" + property.path("defaultValue"));
            }
        }
        assertThat(withDefault).contains("plugin-client.defaults.call-timeout=\"10s\"",
                "plugin-client.defaults.start-timeout=\"60s\"", "plugin-client.defaults.retry.max-attempts=4",
                "plugin-client.defaults.restart.window=\"5m\"", "plugin-client.defaults.handshake.protocol-versions=[1]");
    }
}
