package dev.pluginclient.spring.autoconfigure.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** A plugin that cannot start fails the application with Spring Boot's failure analysis report. */
@ExtendWith(OutputCaptureExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PluginStartFailureAnalysisTests {

    @Test
    void missingExecutableReported(CapturedOutput output) {
        SpringApplicationBuilder application = new SpringApplicationBuilder(CalculatorApplication.class)
                .web(WebApplicationType.NONE)
                .properties("plugin-client.plugins.calculator.command=/nonexistent/calculator-plugin",
                        "plugin-client.plugins.calculator.handshake.magic-cookie-key=CALCULATOR_PLUGIN",
                        "plugin-client.plugins.calculator.handshake.magic-cookie-value=calculator-v1-7d2f4c",
                        "plugin-client.plugins.fragile.command=/nonexistent/fragile-plugin",
                        "plugin-client.plugins.fragile.handshake.magic-cookie-key=CALCULATOR_PLUGIN",
                        "plugin-client.plugins.fragile.handshake.magic-cookie-value=calculator-v1-7d2f4c",
                        "plugin-client.plugins.fragile.optional=true",
                        "plugin-client.plugins.lazycalc.command=/nonexistent/lazy-plugin",
                        "plugin-client.plugins.lazycalc.handshake.magic-cookie-key=CALCULATOR_PLUGIN",
                        "plugin-client.plugins.lazycalc.handshake.magic-cookie-value=calculator-v1-7d2f4c",
                        "plugin-client.plugins.lazycalc.lazy=true");

        assertThatThrownBy(application::run).hasStackTraceContaining("/nonexistent/calculator-plugin");

        assertThat(output).contains("APPLICATION FAILED TO START");
        assertThat(output).contains("Plugin 'calculator' could not be started.");
        assertThat(output).contains("/nonexistent/calculator-plugin");
        assertThat(output).contains("plugin-client.plugins.calculator.optional=true");
        assertThat(output).contains("logging.level.plugin.calculator=debug");
    }

    @Test
    void invalidPropertyReported(CapturedOutput output) {
        SpringApplicationBuilder application = new SpringApplicationBuilder(CalculatorApplication.class)
                .web(WebApplicationType.NONE)
                .properties("plugin-client.plugins.calculator.command=",
                        "plugin-client.plugins.calculator.handshake.magic-cookie-key=CALCULATOR_PLUGIN",
                        "plugin-client.plugins.calculator.handshake.magic-cookie-value=calculator-v1-7d2f4c");

        assertThatThrownBy(application::run).hasStackTraceContaining("the command is empty");

        assertThat(output).contains("APPLICATION FAILED TO START");
        assertThat(output).contains("The configuration of plugin 'calculator' is invalid: invalid property "
                + "'plugin-client.plugins.calculator.command': the command is empty.");
        assertThat(output).contains("Set it to the executable and its arguments as a list");
    }
}
