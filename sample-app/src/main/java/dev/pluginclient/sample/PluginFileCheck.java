package dev.pluginclient.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

/**
 * Checks at startup that the file the calculator plugin runs from exists. Without the check, a
 * missing jar would surface only as a plugin that exited before its handshake, because the command
 * starts {@code java} and the jar is just an argument.
 *
 * <p>Singletons are initialized before the starter starts the plugins, so this check runs first.
 */
@Component
class PluginFileCheck implements InitializingBean {

    private final SampleProperties properties;

    PluginFileCheck(SampleProperties properties) {
        this.properties = properties;
    }

    @Override
    public void afterPropertiesSet() {
        if (!StringUtils.hasText(properties.getPluginFile())) {
            return;
        }
        Path workingDirectory = Path.of("").toAbsolutePath();
        Path file = workingDirectory.resolve(properties.getPluginFile()).normalize();
        if (!Files.isRegularFile(file)) {
            throw new PluginFileMissingException(properties.getPluginFile(), file, workingDirectory, false,
                    properties.getPluginFileBuildCommand());
        }
        if (!file.toString().endsWith(".jar") && !Files.isExecutable(file)) {
            throw new PluginFileMissingException(properties.getPluginFile(), file, workingDirectory, true,
                    properties.getPluginFileBuildCommand());
        }
    }
}
