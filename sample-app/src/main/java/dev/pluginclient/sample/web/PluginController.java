package dev.pluginclient.sample.web;

import dev.pluginclient.calculator.v1.FaultInjectionGrpc;
import dev.pluginclient.calculator.v1.InfoReply;
import dev.pluginclient.calculator.v1.InfoRequest;
import dev.pluginclient.sample.CalculatorService;
import dev.pluginclient.spring.autoconfigure.PluginClients;
import dev.pluginclient.spring.autoconfigure.stub.PluginStub;
import dev.pluginclient.supervision.PluginState;
import dev.pluginclient.supervision.PluginStatus;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The calculator plugin's status. {@code GET /plugin} reads it from the host without calling the
 * plugin, and {@code GET /plugin/info} calls the plugin's FaultInjection.Info method.
 */
@RestController
@RequestMapping("/plugin")
class PluginController {

    /** Deadline of the Info call, short because a hung plugin would otherwise hold the request. */
    private static final long INFO_DEADLINE_SECONDS = 2;

    private final PluginClients plugins;
    private final FaultInjectionGrpc.FaultInjectionBlockingStub faults;

    PluginController(PluginClients plugins,
            @PluginStub(CalculatorService.PLUGIN) FaultInjectionGrpc.FaultInjectionBlockingStub faults) {
        this.plugins = plugins;
        this.faults = faults;
    }

    @GetMapping
    PluginResponse status() {
        PluginStatus status = plugins.get(CalculatorService.PLUGIN).status();
        return new PluginResponse(status.name(), status.state(), status.pid() > 0 ? status.pid() : null,
                status.restarts(), status.transport(), status.address(), status.protocolVersion(),
                status.circuitBreakerState(), status.lastError(), status.lastErrorAt());
    }

    @GetMapping("/info")
    InfoResponse info() {
        InfoReply reply = faults.withDeadlineAfter(INFO_DEADLINE_SECONDS, TimeUnit.SECONDS)
                .info(InfoRequest.getDefaultInstance());
        return new InfoResponse(reply.getImplementation(), reply.getPid(), reply.getProtocolVersion(),
                reply.getStartToHandshakeMillis());
    }

    /**
     * The plugin's status as the host tracks it.
     *
     * @param pid pid of the plugin process, or {@code null} when none runs
     * @param restarts restarts since the application started
     * @param lastError the last start, health-check or restart failure, or {@code null}
     */
    record PluginResponse(String name, PluginState state, Long pid, long restarts, String transport, String address,
            int protocolVersion, String circuitBreaker, String lastError, Instant lastErrorAt) {
    }

    /**
     * The plugin's own report from FaultInjection.Info.
     *
     * @param implementation {@code java} or {@code go}
     * @param startToHandshakeMillis milliseconds from process start to the handshake line
     */
    record InfoResponse(String implementation, long pid, int protocolVersion, long startToHandshakeMillis) {
    }
}
