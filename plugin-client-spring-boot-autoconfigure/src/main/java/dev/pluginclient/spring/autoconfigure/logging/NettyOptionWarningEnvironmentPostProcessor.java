package dev.pluginclient.spring.autoconfigure.logging;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Quiets Netty's "Unknown channel option 'SO_KEEPALIVE'" warning, which grpc-netty-shaded logs for
 * every Unix-socket connection because gRPC sets that TCP option on all transports. The level is
 * added as a default with the lowest precedence, so any {@code logging.level} the application sets
 * for that logger wins.
 */
public class NettyOptionWarningEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String LOGGER_PROPERTY = "logging.level.io.grpc.netty.shaded.io.netty.bootstrap";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.containsProperty(LOGGER_PROPERTY)) {
            return;
        }
        environment.getPropertySources().addLast(
                new MapPropertySource("pluginClientLoggingDefaults", Map.of(LOGGER_PROPERTY, "ERROR")));
    }
}
