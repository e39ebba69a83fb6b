package dev.pluginclient.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pluginclient.PluginException;
import dev.pluginclient.handshake.HandshakeParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loopback check of a handshake's TCP address must not depend on name resolution: a name that
 * resolves to 127.0.0.1 now may resolve to another host when the channel connects.
 *
 * <p>Each case runs {@link Probe} in a child JVM whose resolver reads only a test hosts file
 * ({@code -Djdk.net.hosts.file}), so no DNS query leaves the machine.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HandshakeHostNameTest {

    @TempDir
    Path directory;

    @Test
    void unknownHexNameRejected() throws Exception {
        assertThat(probe("1|1|tcp|face:1234|grpc|")).isEqualTo("REMOTE_ADDRESS_REJECTED");
    }

    @Test
    void resolvableNameRejected() throws Exception {
        assertThat(probe("1|1|tcp|beef:1234|grpc|")).isEqualTo("REMOTE_ADDRESS_REJECTED");
    }

    private String probe(String line) throws IOException, InterruptedException {
        Path hosts = directory.resolve("hosts");
        Files.writeString(hosts, "127.0.0.1 localhost\n127.0.0.1 beef\n", StandardCharsets.US_ASCII);
        Process process = new ProcessBuilder(List.of(Plugins.javaExecutable(),
                "-Djdk.net.hosts.file=" + hosts, "-cp", System.getProperty("java.class.path"),
                Probe.class.getName(), line))
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("probe finished").isTrue();
        assertThat(process.exitValue()).as("probe exit status, output: %s", output).isZero();
        return output.lines().reduce((first, second) -> second).orElse("");
    }

    /** Parses the handshake line in its first argument and prints ACCEPTED or the error code. */
    public static final class Probe {

        public static void main(String[] arguments) {
            try {
                HandshakeParser.parse("probe", arguments[0], Set.of(1), false, false);
                System.out.println("ACCEPTED");
            } catch (PluginException failure) {
                System.out.println(failure.code());
            }
        }
    }
}
