package dev.pluginclient.spring.autoconfigure;

import dev.pluginclient.PluginClient;

/**
 * Callback that adjusts a plugin's {@link PluginClient.Builder} after the properties were applied
 * and before the client is built, for settings that properties cannot express.
 */
@FunctionalInterface
public interface PluginClientBuilderCustomizer {

    /**
     * Customizes the builder of the plugin named {@code pluginName}.
     */
    void customize(String pluginName, PluginClient.Builder builder);
}
