package dev.pluginclient.process;

import dev.pluginclient.Checksum;
import dev.pluginclient.ErrorCode;
import dev.pluginclient.PluginConfigurationException;
import dev.pluginclient.PluginSecurityException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Finds a plugin's executable the way exec does, and checks its digest. */
public final class Executables {

    private Executables() {
    }

    /**
     * Resolves {@code command} to a file: a name with a slash relative to {@code workingDirectory},
     * a bare name through {@code PATH}.
     *
     * @throws PluginConfigurationException when no such executable file exists
     */
    public static Path resolve(String pluginName, String command, Path workingDirectory, String searchPath) {
        if (command.contains("/")) {
            Path path = Path.of(command);
            if (!path.isAbsolute() && workingDirectory != null) {
                path = workingDirectory.resolve(path);
            }
            return checkRunnable(pluginName, command, path.toAbsolutePath());
        }
        if (searchPath != null) {
            for (String directory : searchPath.split(File.pathSeparator)) {
                if (directory.isEmpty()) {
                    continue;
                }
                Path candidate = Path.of(directory, command);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new PluginConfigurationException(pluginName, ErrorCode.EXECUTABLE_NOT_FOUND,
                "executable '" + command + "' was not found on PATH",
                "give the full path of the plugin binary in command, or add its directory to PATH");
    }

    private static Path checkRunnable(String pluginName, String command, Path path) {
        if (!Files.exists(path)) {
            throw new PluginConfigurationException(pluginName, ErrorCode.EXECUTABLE_NOT_FOUND,
                    "executable '" + command + "' does not exist (resolved to " + path + ")",
                    "check the path in command; a relative path is resolved against working-directory");
        }
        if (!Files.isRegularFile(path)) {
            throw new PluginConfigurationException(pluginName, ErrorCode.EXECUTABLE_NOT_RUNNABLE,
                    "'" + path + "' is not a regular file", "point command at the plugin binary itself");
        }
        if (!Files.isExecutable(path)) {
            throw new PluginConfigurationException(pluginName, ErrorCode.EXECUTABLE_NOT_RUNNABLE,
                    "'" + path + "' is not executable", "run chmod +x " + path);
        }
        return path;
    }

    /**
     * Compares the SHA-256 digest of {@code executable} with {@code expected}.
     *
     * @throws PluginSecurityException when they differ or the file cannot be read
     */
    public static void verify(String pluginName, Path executable, Checksum expected) {
        byte[] actual;
        try (InputStream in = Files.newInputStream(executable)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            int read;
            while ((read = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, read);
            }
            actual = digest.digest();
        } catch (IOException | NoSuchAlgorithmException failure) {
            throw new PluginSecurityException(pluginName, ErrorCode.CHECKSUM_MISMATCH,
                    "could not read '" + executable + "' to verify its checksum: " + failure.getMessage(),
                    "check that the file is readable", null, failure);
        }
        if (!MessageDigest.isEqual(actual, expected.sha256())) {
            throw new PluginSecurityException(pluginName, ErrorCode.CHECKSUM_MISMATCH,
                    "checksum mismatch for '" + executable + "': expected " + expected + ", found "
                            + Checksum.ofSha256(actual),
                    "the binary changed since the checksum was taken; reinstall the plugin from a trusted source, "
                            + "or update checksum if the new binary is trusted");
        }
    }
}
