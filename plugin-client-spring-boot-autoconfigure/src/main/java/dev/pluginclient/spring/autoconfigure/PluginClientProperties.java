package dev.pluginclient.spring.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * Configuration of the plugins an application hosts, bound from {@code plugin-client.*}.
 *
 * <p>Each entry of {@code plugins} describes one plugin. Settings under {@code defaults} apply to every
 * plugin that does not set them itself. A plugin's log lines appear under the logger
 * {@code plugin.<name>}, so {@code logging.level.plugin.calculator=debug} shows the calculator
 * plugin's output.
 */
@ConfigurationProperties(PluginClientProperties.PREFIX)
public class PluginClientProperties {

    /** Prefix of every property of this starter. */
    public static final String PREFIX = "plugin-client";

    /** Whether the plugin-client auto-configuration is enabled. */
    private boolean enabled = true;

    /**
     * Settings applied to every plugin that does not set them itself. Accepts every per-plugin
     * property except command and reattach.
     */
    @NestedConfigurationProperty
    private PluginSettings defaults = new PluginSettings();

    /** Plugins to host, by name. The name is also the client's bean name and qualifier. */
    private Map<String, PluginProperties> plugins = new LinkedHashMap<>();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public PluginSettings getDefaults() {
        return defaults;
    }

    public void setDefaults(PluginSettings defaults) {
        this.defaults = defaults;
    }

    public Map<String, PluginProperties> getPlugins() {
        return plugins;
    }

    public void setPlugins(Map<String, PluginProperties> plugins) {
        this.plugins = plugins;
    }
}
