package dev.pluginclient.spring.autoconfigure.diagnostics;

import dev.pluginclient.ErrorCode;
import dev.pluginclient.PluginConfigurationException;
import dev.pluginclient.PluginException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains an application start that failed because a plugin could not be started: what failed, why
 * (with the error code and the last lines of the plugin's standard error), and what to do.
 */
public class PluginStartFailureAnalyzer extends AbstractFailureAnalyzer<PluginException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, PluginException cause) {
        if (cause instanceof PluginConfigurationException && cause.code() == ErrorCode.INVALID_CONFIGURATION) {
            // PluginConfigurationFailureAnalyzer explains invalid properties.
            return null;
        }
        String newline = System.lineSeparator();
        StringBuilder description = new StringBuilder();
        description.append("Plugin '").append(cause.pluginName()).append("' could not be started.").append(newline)
                .append(newline)
                .append("Reason: ").append(cause.reason()).append(" [").append(cause.code()).append(']');
        if (cause.stderrTail() != null && !cause.stderrTail().isBlank()) {
            description.append(newline).append(newline).append("Last lines of the plugin's standard error:")
                    .append(newline).append(cause.stderrTail().stripTrailing());
        }

        StringBuilder action = new StringBuilder();
        if (cause.hint() != null && !cause.hint().isBlank()) {
            action.append(PluginConfigurationFailureAnalyzer.capitalize(cause.hint())).append('.').append(newline)
                    .append(newline);
        }
        action.append("Check plugin-client.plugins.").append(cause.pluginName())
                .append(" in your application configuration, and set logging.level.plugin.")
                .append(cause.pluginName()).append("=debug to see the plugin's output.").append(newline)
                .append("If the application can run without this plugin, set plugin-client.plugins.")
                .append(cause.pluginName()).append(".optional=true: it then starts and the plugin reports DOWN.");
        return new FailureAnalysis(description.toString(), action.toString(), cause);
    }
}
