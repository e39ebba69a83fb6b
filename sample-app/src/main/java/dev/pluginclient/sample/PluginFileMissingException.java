package dev.pluginclient.sample;

import java.nio.file.Path;

/** Thrown at startup when the plugin's jar or executable is missing or cannot be executed. */
class PluginFileMissingException extends RuntimeException {

    private final String configuredPath;
    private final Path resolvedPath;
    private final Path workingDirectory;
    private final boolean notExecutable;
    private final String buildCommand;

    PluginFileMissingException(String configuredPath, Path resolvedPath, Path workingDirectory, boolean notExecutable,
            String buildCommand) {
        super("Plugin file " + resolvedPath + (notExecutable ? " is not executable" : " not found")
                + " (configured as '" + configuredPath + "', working directory " + workingDirectory + ")");
        this.configuredPath = configuredPath;
        this.resolvedPath = resolvedPath;
        this.workingDirectory = workingDirectory;
        this.notExecutable = notExecutable;
        this.buildCommand = buildCommand;
    }

    String configuredPath() {
        return configuredPath;
    }

    Path resolvedPath() {
        return resolvedPath;
    }

    Path workingDirectory() {
        return workingDirectory;
    }

    boolean notExecutable() {
        return notExecutable;
    }

    /** Returns the command that builds the file, or {@code null} when none is configured. */
    String buildCommand() {
        return buildCommand;
    }
}
