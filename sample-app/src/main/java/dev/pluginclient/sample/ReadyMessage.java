package dev.pluginclient.sample;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/** Logs the URLs to try once the application is ready, so that a first run shows where to go next. */
@Component
class ReadyMessage {

    private static final Logger logger = LoggerFactory.getLogger(ReadyMessage.class);

    @EventListener(ApplicationReadyEvent.class)
    void logUrls(ApplicationReadyEvent event) {
        Environment environment = event.getApplicationContext().getEnvironment();
        String address = environment.getProperty("server.address", "localhost");
        String port = environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
        String base = "http://" + address + ":" + port;
        logger.info("Ready. Try: curl -s '{}/calculator/add?a=5&b=3' or curl -s {}/actuator/health", base, base);
    }
}
