package dev.pluginclient.spring.autoconfigure.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pluginclient.PluginClient;
import dev.pluginclient.spring.autoconfigure.PluginClients;
import dev.pluginclient.supervision.PluginState;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Starts real calculator plugin processes with the application and checks what a user gets:
 * injected stubs, {@code /actuator/health}, the {@code plugins} endpoint, meters, the
 * {@code @PluginCall} fallback, a lazy plugin and an optional plugin that cannot start.
 */
@SpringBootTest(classes = CalculatorApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
                "server.address=127.0.0.1",
                "management.endpoints.web.exposure.include=health,plugins,metrics",
                "management.endpoint.health.show-details=always",
                "management.endpoint.health.probes.enabled=true",
                "management.endpoint.health.group.readiness.include=readinessState,plugins/calculator",
                "plugin-client.defaults.call-timeout=5s",
                "plugin-client.plugins.fragile.restart.enabled=false",
                "plugin-client.plugins.fragile.retry.max-attempts=2",
                "plugin-client.plugins.fragile.retry.initial-delay=10ms",
                "plugin-client.plugins.lazycalc.lazy=true",
                "plugin-client.plugins.broken.command=/nonexistent/plugin-binary",
                "plugin-client.plugins.broken.handshake.magic-cookie-key=BROKEN",
                "plugin-client.plugins.broken.handshake.magic-cookie-value=broken",
                "plugin-client.plugins.broken.optional=true",
                "plugin-client.plugins.broken.restart.enabled=false" })
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CalculatorPluginIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @DynamicPropertySource
    static void plugins(DynamicPropertyRegistry registry) {
        for (String name : List.of("calculator", "fragile", "lazycalc")) {
            for (String property : CalculatorApplication.calculatorPlugin(name)) {
                int equals = property.indexOf('=');
                registry.add(property.substring(0, equals), () -> property.substring(equals + 1));
            }
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    CalculatorApplication.CalculatorService service;

    @Autowired
    PluginClients clients;

    @Autowired
    @Qualifier("calculator")
    PluginClient calculator;

    @Autowired
    MeterRegistry meters;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void stubCallsRunningPlugin() {
        assertThat(calculator.state()).isEqualTo(PluginState.READY);
        assertThat(service.add(2, 3)).isEqualTo(5);
    }

    @Test
    void healthShowsEveryPlugin() throws Exception {
        JsonNode health = get("/actuator/health").body;
        JsonNode plugins = health.path("components").path("plugins").path("components");

        JsonNode calculatorHealth = plugins.path("calculator");
        assertThat(calculatorHealth.path("status").asString()).isEqualTo("UP");
        assertThat(calculatorHealth.path("details").path("state").asString()).isEqualTo("READY");
        assertThat(calculatorHealth.path("details").path("pid").asLong()).isPositive();
        assertThat(calculatorHealth.path("details").path("protocolVersion").asInt()).isEqualTo(1);
        assertThat(calculatorHealth.path("details").path("transport").asString()).isNotBlank();
        assertThat(calculatorHealth.path("details").path("circuitBreaker").asString()).isEqualTo("CLOSED");
        assertThat(calculatorHealth.path("details").has("restarts")).isTrue();

        JsonNode broken = plugins.path("broken");
        assertThat(broken.path("status").asString()).isEqualTo("DOWN");
        assertThat(broken.path("details").path("state").asString()).isEqualTo("FAILED");
        assertThat(broken.path("details").path("lastError").asString()).isNotBlank();

        assertThat(health.toString()).doesNotContain("calculator-v1-7d2f4c");
        assertThat(health.path("status").asString()).isEqualTo("DOWN");
    }

    @Test
    void readinessGroupIncludesChosenPlugin() throws Exception {
        Response readiness = get("/actuator/health/readiness");
        assertThat(readiness.status).isEqualTo(200);
        assertThat(readiness.body.path("status").asString()).isEqualTo("UP");
        assertThat(readiness.body.path("components").path("plugins").path("components").has("calculator")).isTrue();
    }

    @Test
    void endpointListsAndRestarts() throws Exception {
        JsonNode all = get("/actuator/plugins").body.path("plugins");
        assertThat(all.has("calculator")).isTrue();
        assertThat(all.has("broken")).isTrue();
        JsonNode before = all.path("calculator");
        assertThat(before.path("state").asString()).isEqualTo("READY");
        long pidBefore = before.path("pid").asLong();
        assertThat(pidBefore).isPositive();
        assertThat(before.path("address").asString()).isNotBlank();
        assertThat(before.path("circuitBreaker").asString()).isEqualTo("CLOSED");

        JsonNode single = get("/actuator/plugins/calculator").body;
        assertThat(single.path("pid").asLong()).isEqualTo(pidBefore);
        assertThat(get("/actuator/plugins/missing").status).isEqualTo(404);

        Response restarted = post("/actuator/plugins/calculator");
        assertThat(restarted.status).isEqualTo(200);
        assertThat(restarted.body.path("state").asString()).isEqualTo("READY");
        assertThat(restarted.body.path("pid").asLong()).isPositive().isNotEqualTo(pidBefore);
        assertThat(service.add(20, 22)).isEqualTo(42);
    }

    @Test
    void metersRecordCallsAndState() {
        service.add(1, 1);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(meters.find("plugin.calls")
                .tags("plugin", "calculator", "method", "calculator.v1.Calculator/Add", "status", "OK").timer())
                .isNotNull());
        assertThat(meters.get("plugin.up").tag("plugin", "calculator").gauge().value()).isEqualTo(1);
        assertThat(meters.get("plugin.up").tag("plugin", "broken").gauge().value()).isZero();
        assertThat(meters.get("plugin.circuit.state").tags("plugin", "calculator", "state", "closed").gauge().value())
                .isEqualTo(1);
        assertThat(meters.get("plugin.restarts").tag("plugin", "calculator").functionCounter().count())
                .isGreaterThanOrEqualTo(0);
    }

    @Test
    void pluginCallFallsBackWhenPluginFailed() {
        assertThat(service.addFragile(2, 3)).isEqualTo(5);

        service.crashFragile();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> clients.get("fragile").state() == PluginState.FAILED);

        assertThat(service.addFragile(2, 3)).isEqualTo(-5);
        assertThat(clients.get("calculator").state()).isEqualTo(PluginState.READY);
    }

    @Test
    void lazyPluginStartsOnFirstCall() throws Exception {
        JsonNode before = get("/actuator/health").body.path("components").path("plugins").path("components")
                .path("lazycalc");
        if (clients.isAwaitingFirstUse("lazycalc")) {
            assertThat(before.path("status").asString()).isEqualTo("UNKNOWN");
        }
        assertThat(service.addLazily(4, 5)).isEqualTo(9);
        assertThat(clients.get("lazycalc").state()).isEqualTo(PluginState.READY);
        assertThat(clients.isAwaitingFirstUse("lazycalc")).isFalse();
    }

    @Test
    void optionalPluginDownButApplicationRuns() {
        assertThat(clients.isOptional("broken")).isTrue();
        assertThat(clients.get("broken").state()).isEqualTo(PluginState.FAILED);
        assertThat(service.add(1, 2)).isEqualTo(3);
    }

    private Response get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).GET().build();
        return send(request);
    }

    private Response post(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.noBody()).build();
        return send(request);
    }

    private Response send(HttpRequest request) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode body = response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        return new Response(response.statusCode(), body);
    }

    private record Response(int status, JsonNode body) {
    }
}
