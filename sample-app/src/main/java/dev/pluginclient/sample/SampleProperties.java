package dev.pluginclient.sample;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the sample application under {@code sample.*}. The plugin's command itself is under
 * {@code plugin-client.plugins.calculator.command}.
 */
@ConfigurationProperties("sample")
public class SampleProperties {

    /** Fat jar of the Java calculator plugin. A relative path is resolved against the working directory. */
    private String calculatorJar = "calculator-plugin/target/calculator-plugin.jar";

    /** Executable of the Go calculator plugin, used by the go profile. A relative path is resolved against the working directory. */
    private String goPlugin = "interop-tests/target/peers/go-calculator-plugin";

    /** File the calculator plugin runs from, checked before the plugin starts. Empty skips the check. */
    private String pluginFile;

    /** Command that builds the plugin file, shown when the file is missing. */
    private String pluginFileBuildCommand;

    public String getCalculatorJar() {
        return calculatorJar;
    }

    public void setCalculatorJar(String calculatorJar) {
        this.calculatorJar = calculatorJar;
    }

    public String getGoPlugin() {
        return goPlugin;
    }

    public void setGoPlugin(String goPlugin) {
        this.goPlugin = goPlugin;
    }

    public String getPluginFile() {
        return pluginFile;
    }

    public void setPluginFile(String pluginFile) {
        this.pluginFile = pluginFile;
    }

    public String getPluginFileBuildCommand() {
        return pluginFileBuildCommand;
    }

    public void setPluginFileBuildCommand(String pluginFileBuildCommand) {
        this.pluginFileBuildCommand = pluginFileBuildCommand;
    }
}
