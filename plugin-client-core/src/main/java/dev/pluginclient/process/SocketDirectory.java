package dev.pluginclient.process;

import dev.pluginclient.ErrorCode;
import dev.pluginclient.PluginConfigurationException;
import dev.pluginclient.PluginTransportException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A private directory (mode 0700) made for one plugin start, handed to the plugin as
 * {@code PLUGIN_UNIX_SOCKET_DIR} and {@code TMPDIR} so that its socket is out of reach of other
 * local users. It is removed when the plugin stops.
 */
public final class SocketDirectory implements AutoCloseable {

    /** Linux's sun_path has room for 108 bytes including the terminating NUL. */
    public static final int MAX_SOCKET_PATH_BYTES = 107;

    // go-plugin names its socket "plugin" plus up to 10 random digits inside the directory.
    private static final int SOCKET_NAME_BYTES = "/plugin".length() + 10;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path path;

    private SocketDirectory(Path path) {
        this.path = path;
    }

    /**
     * Creates the directory under {@code base} (default {@code /tmp}, which is short; the JVM's
     * temp directory may not be).
     */
    public static SocketDirectory create(String pluginName, Path base) {
        Path parent = base != null ? base : Path.of("/tmp");
        Path candidate = parent.resolve("pc-" + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36));
        int length = candidate.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8).length + SOCKET_NAME_BYTES;
        if (length > MAX_SOCKET_PATH_BYTES) {
            throw new PluginConfigurationException(pluginName, ErrorCode.SOCKET_PATH_TOO_LONG,
                    "the socket directory base '" + parent + "' is too long: a socket path inside it would take "
                            + length + " bytes, more than the " + MAX_SOCKET_PATH_BYTES + " a Unix socket path may have",
                    "set socket-directory to a short directory such as /tmp or /run/user/<uid>");
        }
        try {
            Files.createDirectories(parent);
            Files.createDirectory(candidate, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            // The umask cannot widen 0700, but set it again in case the file system ignored the attribute.
            Files.setPosixFilePermissions(candidate, PosixFilePermissions.fromString("rwx------"));
        } catch (FileAlreadyExistsException collision) {
            return create(pluginName, base);
        } catch (IOException | UnsupportedOperationException failure) {
            throw new PluginTransportException(pluginName, ErrorCode.START_FAILED,
                    "could not create the socket directory '" + candidate + "': " + failure.getMessage(),
                    "check that '" + parent + "' exists and is writable, or set socket-directory", null, failure);
        }
        return new SocketDirectory(candidate);
    }

    public Path path() {
        return path;
    }

    /** Removes the directory and anything the plugin left in it (its socket file, temp files). */
    @Override
    public void close() {
        try (Stream<Path> entries = Files.walk(path)) {
            entries.sorted(Comparator.reverseOrder()).forEach(entry -> {
                try {
                    Files.deleteIfExists(entry);
                } catch (IOException ignored) {
                    // A file the plugin still has open stays until the system cleans /tmp.
                }
            });
        } catch (IOException alreadyGone) {
            // Nothing left to remove.
        }
    }
}
