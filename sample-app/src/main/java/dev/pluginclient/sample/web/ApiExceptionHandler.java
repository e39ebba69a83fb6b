package dev.pluginclient.sample.web;

import dev.pluginclient.PluginClient;
import dev.pluginclient.PluginException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Turns plugin failures into RFC 9457 problem responses. An argument that the plugin rejected as
 * invalid becomes 400 with the plugin's message. An unavailable plugin becomes 503, a call that ran
 * into its deadline 504, and any other plugin error 502.
 */
@RestControllerAdvice
class ApiExceptionHandler {

    private static final Logger logger = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(StatusRuntimeException.class)
    ProblemDetail handleStatus(StatusRuntimeException failure) {
        Status status = failure.getStatus();
        if (status.getCode() == Status.Code.INVALID_ARGUMENT) {
            logger.debug("Calculator plugin rejected the request: {}", status.getDescription());
            return problem(HttpStatus.BAD_REQUEST, "Invalid argument", status.getDescription());
        }

        PluginException pluginFailure = findPluginException(failure);
        String detail = pluginFailure != null ? pluginFailure.getMessage() : describe(status);
        if (PluginClient.isUnavailable(failure)) {
            logger.warn("Calculator plugin unavailable: {}", detail);
            return problem(HttpStatus.SERVICE_UNAVAILABLE, "Plugin unavailable", detail);
        }
        if (status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            logger.warn("Calculator plugin call timed out: {}", detail);
            return problem(HttpStatus.GATEWAY_TIMEOUT, "Plugin call timed out", detail);
        }
        logger.warn("Calculator plugin call failed: {}", detail);
        return problem(HttpStatus.BAD_GATEWAY, "Plugin call failed", detail);
    }

    @ExceptionHandler(PluginException.class)
    ProblemDetail handlePlugin(PluginException failure) {
        logger.warn("Calculator plugin unavailable: {}", failure.getMessage());
        HttpStatus httpStatus = PluginClient.isUnavailable(failure) ? HttpStatus.SERVICE_UNAVAILABLE
                : HttpStatus.BAD_GATEWAY;
        return problem(httpStatus, "Plugin unavailable", failure.getMessage());
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail handleInvalidArgument(IllegalArgumentException failure) {
        logger.debug("Rejected the request: {}", failure.getMessage());
        return problem(HttpStatus.BAD_REQUEST, "Invalid argument", failure.getMessage());
    }

    private static ProblemDetail problem(HttpStatus httpStatus, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(httpStatus, detail);
        problem.setTitle(title);
        return problem;
    }

    private static String describe(Status status) {
        return status.getDescription() == null ? status.getCode().toString()
                : status.getCode() + ": " + status.getDescription();
    }

    private static PluginException findPluginException(Throwable failure) {
        for (Throwable current = failure; current != null; current = current.getCause()) {
            if (current instanceof PluginException plugin) {
                return plugin;
            }
            if (current.getCause() == current) {
                break;
            }
        }
        return null;
    }
}
