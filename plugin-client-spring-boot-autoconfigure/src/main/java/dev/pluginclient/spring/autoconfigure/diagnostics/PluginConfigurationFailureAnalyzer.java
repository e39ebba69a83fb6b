package dev.pluginclient.spring.autoconfigure.diagnostics;

import dev.pluginclient.ErrorCode;
import dev.pluginclient.PluginConfigurationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains an application start that failed because a plugin's properties are invalid
 * ({@link ErrorCode#INVALID_CONFIGURATION}). Other configuration faults found while starting, such as
 * a missing executable, are explained by {@link PluginStartFailureAnalyzer}.
 */
public class PluginConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<PluginConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, PluginConfigurationException cause) {
        if (cause.code() != ErrorCode.INVALID_CONFIGURATION) {
            return null;
        }
        String description = "The configuration of plugin '" + cause.pluginName() + "' is invalid: " + cause.reason()
                + ".";
        StringBuilder action = new StringBuilder();
        if (cause.hint() != null && !cause.hint().isBlank()) {
            action.append(capitalize(cause.hint())).append('.').append(System.lineSeparator());
        }
        action.append("Check the plugin-client.plugins.").append(cause.pluginName())
                .append(" and plugin-client.defaults properties of your application configuration.");
        return new FailureAnalysis(description, action.toString(), cause);
    }

    static String capitalize(String text) {
        String trimmed = text.strip();
        if (trimmed.endsWith(".")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.isEmpty() ? trimmed : Character.toUpperCase(trimmed.charAt(0)) + trimmed.substring(1);
    }
}
