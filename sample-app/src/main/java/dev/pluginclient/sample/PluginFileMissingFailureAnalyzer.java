package dev.pluginclient.sample;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a startup that failed because the calculator plugin's file is missing, and how to build it. */
public class PluginFileMissingFailureAnalyzer extends AbstractFailureAnalyzer<PluginFileMissingException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, PluginFileMissingException cause) {
        String newline = System.lineSeparator();
        String problem = cause.notExecutable() ? "is not executable" : "was not found";
        String description = "The calculator plugin's file " + problem + ": " + cause.resolvedPath() + newline
                + "It is configured as '" + cause.configuredPath() + "', relative to the working directory "
                + cause.workingDirectory() + ".";

        StringBuilder action = new StringBuilder();
        if (cause.notExecutable()) {
            action.append("Make the file executable (chmod +x ").append(cause.resolvedPath()).append(").");
        } else if (cause.buildCommand() != null && !cause.buildCommand().isBlank()) {
            action.append("Build it first. From the repository root, run:").append(newline)
                    .append(newline).append("    ").append(cause.buildCommand());
        } else {
            action.append("Build the plugin first.");
        }
        action.append(newline).append(newline)
                .append("Run the application from the repository root, or point sample.calculator-jar ")
                .append("(sample.go-plugin with the go profile) at the file, for example ")
                .append("--sample.calculator-jar=/path/to/calculator-plugin.jar.");
        return new FailureAnalysis(description, action.toString(), cause);
    }
}
