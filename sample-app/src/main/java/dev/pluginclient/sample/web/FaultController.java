package dev.pluginclient.sample.web;

import dev.pluginclient.PluginException;
import dev.pluginclient.calculator.v1.CrashRequest;
import dev.pluginclient.calculator.v1.FailNextRequest;
import dev.pluginclient.calculator.v1.FaultInjectionGrpc;
import dev.pluginclient.calculator.v1.HangRequest;
import dev.pluginclient.calculator.v1.ResetRequest;
import dev.pluginclient.calculator.v1.SlowRequest;
import dev.pluginclient.sample.CalculatorService;
import dev.pluginclient.spring.autoconfigure.PluginClients;
import dev.pluginclient.spring.autoconfigure.stub.PluginStub;
import io.grpc.StatusRuntimeException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Switches the calculator plugin's faults on and off, to watch the host recover: after
 * {@code POST /faults/crash} or {@code /faults/hang} the plugin is restarted, and after
 * {@code /faults/fail-next?count=3} the failed calls are retried. The calculator API keeps returning
 * results meanwhile, and {@code /actuator/health} shows the new pid and the restart count.
 */
@RestController
@RequestMapping("/faults")
class FaultController {

    private static final Logger logger = LoggerFactory.getLogger(FaultController.class);

    private final FaultInjectionGrpc.FaultInjectionBlockingStub faults;
    private final PluginClients plugins;

    FaultController(@PluginStub(CalculatorService.PLUGIN) FaultInjectionGrpc.FaultInjectionBlockingStub faults,
            PluginClients plugins) {
        this.faults = faults;
        this.plugins = plugins;
    }

    /** Makes the plugin process exit at once with a non-zero status. */
    @PostMapping("/crash")
    FaultResponse crash() {
        Long pid = PluginResponses.pid(plugins);
        logger.info("Asking calculator plugin (pid {}) to crash", pid);
        try {
            faults.crash(CrashRequest.getDefaultInstance());
        } catch (StatusRuntimeException failure) {
            // The Go plugin exits before it replies, so its connection closes under the call. An open
            // circuit or a FAILED plugin is not transient: then the request never reached the plugin.
            if (!PluginException.isTransient(failure)) {
                throw failure;
            }
            logger.info("Calculator plugin (pid {}) exited before it replied to Crash: {}", pid,
                    failure.getStatus());
        }
        return new FaultResponse("crash", pid,
                "Plugin process " + pid + " exits now. The host starts a new one, and calls wait for it.");
    }

    /**
     * Makes the plugin stop responding. With {@code scope=all} (the default) its health checks hang too
     * and the host restarts it after {@code health.failure-threshold} failed checks. With
     * {@code scope=calls} only calculator calls hang, and the host restarts it after
     * {@code health.deadline-exceeded-threshold} calls in a row ran into their deadline.
     */
    @PostMapping("/hang")
    FaultResponse hang(@RequestParam(defaultValue = "all") String scope) {
        HangRequest.Scope hangScope = parseScope(scope);
        Long pid = PluginResponses.pid(plugins);
        logger.info("Asking calculator plugin (pid {}) to hang, scope {}", pid, hangScope);
        faults.hang(HangRequest.newBuilder().setScope(hangScope).build());
        String recovery = hangScope == HangRequest.Scope.ALL
                ? "Its health checks fail now, so the host restarts it."
                : "Its health checks still pass, so the host restarts it once calls in a row run into their deadline.";
        return new FaultResponse("hang", pid, "Plugin process " + pid + " stopped responding to calls. " + recovery);
    }

    /** Makes the next {@code count} calculator calls fail with UNAVAILABLE. */
    @PostMapping("/fail-next")
    FaultResponse failNext(@RequestParam(defaultValue = "1") int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be 0 or more, got " + count);
        }
        Long pid = PluginResponses.pid(plugins);
        faults.failNext(FailNextRequest.newBuilder().setCount(count).build());
        return new FaultResponse("fail-next", pid, "The next " + count
                + " calculator calls fail with UNAVAILABLE. The host retries them, so callers see no error"
                + " unless the failures outlast the retries.");
    }

    /** Delays every calculator call by {@code millis} milliseconds. 0 turns the delay off. */
    @PostMapping("/slow")
    FaultResponse slow(@RequestParam long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("millis must be 0 or more, got " + millis);
        }
        Long pid = PluginResponses.pid(plugins);
        faults.slow(SlowRequest.newBuilder().setDelayMillis(millis).build());
        return new FaultResponse("slow", pid, "Calculator calls take " + millis + " ms more.");
    }

    /** Turns every fault switch of the running plugin off. A restarted plugin starts with all of them off. */
    @PostMapping("/reset")
    FaultResponse reset() {
        Long pid = PluginResponses.pid(plugins);
        faults.reset(ResetRequest.getDefaultInstance());
        return new FaultResponse("reset", pid, "Every fault switch of plugin process " + pid + " is off.");
    }

    private static HangRequest.Scope parseScope(String scope) {
        return switch (scope.toLowerCase(Locale.ROOT)) {
            case "all" -> HangRequest.Scope.ALL;
            case "calls" -> HangRequest.Scope.CALLS;
            default -> throw new IllegalArgumentException("scope must be 'all' or 'calls', got '" + scope + "'");
        };
    }

    /**
     * The fault that was switched on.
     *
     * @param pluginPid pid of the plugin process that received the request
     */
    record FaultResponse(String fault, Long pluginPid, String message) {
    }
}
