package dev.pluginclient.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * A web application that hosts the calculator plugin through plugin-client-spring-boot-starter and
 * serves a REST API over it.
 *
 * <p>Run it from the repository root with {@code java -jar sample-app/target/sample-app.jar}. It
 * starts the Java calculator plugin, or the Go one with {@code --spring.profiles.active=go}.
 */
@SpringBootApplication
@EnableConfigurationProperties(SampleProperties.class)
public class SampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }
}
