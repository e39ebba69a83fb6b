package dev.pluginclient.spring.autoconfigure;

import dev.pluginclient.ErrorCode;
import dev.pluginclient.PluginConfigurationException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.ConfigurationPropertyState;
import org.springframework.core.env.Environment;

/**
 * Binds the effective settings of each plugin: {@code plugin-client.defaults} first, then
 * {@code plugin-client.plugins.<name>} on top of them, so a plugin's own value wins.
 *
 * <p>Binding twice onto one instance is the merge. A scalar or list set under the plugin replaces
 * the default, a map such as {@code environment} gets the default's entries plus the plugin's (the
 * plugin's entry wins on a shared key), and a setting given in neither place keeps the core default.
 */
public final class PluginPropertiesBinder {

    static final String DEFAULTS = PluginClientProperties.PREFIX + ".defaults";
    static final String PLUGINS = PluginClientProperties.PREFIX + ".plugins";

    private final Binder binder;
    private final Iterable<ConfigurationPropertySource> sources;

    public PluginPropertiesBinder(Environment environment) {
        this.binder = Binder.get(environment);
        this.sources = ConfigurationPropertySources.get(environment);
    }

    /** Returns the names of the configured plugins, sorted. */
    public Set<String> pluginNames() {
        Map<String, PluginProperties> plugins = binder
                .bind(PLUGINS, Bindable.mapOf(String.class, PluginProperties.class))
                .orElse(Map.of());
        return new TreeSet<>(plugins.keySet());
    }

    /**
     * Returns the merged settings of one plugin.
     *
     * @throws PluginConfigurationException when {@code command} or {@code reattach} is set under
     *         {@code defaults}, because every plugin needs its own
     */
    public PluginProperties bind(String pluginName) {
        for (String perPluginOnly : List.of("command", "reattach")) {
            if (isSet(DEFAULTS + "." + perPluginOnly)) {
                throw new PluginConfigurationException(pluginName, ErrorCode.INVALID_CONFIGURATION,
                        "invalid property '" + DEFAULTS + "." + perPluginOnly + "': " + perPluginOnly
                                + " cannot be shared by all plugins",
                        "move it to plugin-client.plugins.<name>." + perPluginOnly);
            }
        }

        PluginProperties merged = new PluginProperties();
        binder.bind(DEFAULTS, Bindable.ofInstance(merged));
        binder.bind(pluginPrefix(pluginName), Bindable.ofInstance(merged));
        return merged;
    }

    /**
     * Returns the full name of the property a plugin's setting came from, for error messages:
     * {@code plugin-client.plugins.<name>.<relative>} when the plugin sets it (or sets nothing),
     * {@code plugin-client.defaults.<relative>} when the value was inherited from the defaults.
     */
    public String propertyName(String pluginName, String relativeName) {
        String own = PLUGINS + "." + pluginName + "." + relativeName;
        if (isSet(pluginPrefix(pluginName) + "." + relativeName)) {
            return own;
        }
        if (isSet(DEFAULTS + "." + relativeName)) {
            return DEFAULTS + "." + relativeName;
        }
        return own;
    }

    private static String pluginPrefix(String pluginName) {
        // The bracket form keeps a name that contains dots as one map key.
        return PLUGINS + "[" + pluginName + "]";
    }

    private boolean isSet(String name) {
        ConfigurationPropertyName propertyName = ConfigurationPropertyName.of(name);
        for (ConfigurationPropertySource source : sources) {
            ConfigurationProperty property = source.getConfigurationProperty(propertyName);
            if (property != null) {
                return true;
            }
            if (source.containsDescendantOf(propertyName) == ConfigurationPropertyState.PRESENT) {
                return true;
            }
        }
        return false;
    }
}
