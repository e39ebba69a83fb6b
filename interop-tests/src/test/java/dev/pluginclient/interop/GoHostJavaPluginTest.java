package dev.pluginclient.interop;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the go-plugin 1.0.1 Go host against the Java calculator plugin ({@code java -jar
 * calculator-plugin/target/calculator-plugin.jar}), with and without AutoMTLS. The tests are aborted
 * when that jar has not been built.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GoHostJavaPluginTest {

    // Covers JVM start-up and AutoMTLS key generation on a busy machine. go-plugin's own start
    // timeout defaults to 1 min.
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(90);

    @ParameterizedTest(name = "automtls={0}")
    @ValueSource(booleans = {false, true})
    void smokeCallsAddAndPluginExitsZero(boolean autoMtls) throws Exception {
        Peers peers = Peers.get();
        List<String> flags = autoMtls
                ? List.of("-automtls", "-start-timeout", "60s")
                : List.of("-start-timeout", "60s");

        GoHost.Run run = new GoHost(peers.goHost())
                .run("smoke", flags, peers.javaCalculatorPluginCommand(), RUN_TIMEOUT);

        GoHostAssertions.assertSmokeSucceeded(run, autoMtls);
    }

}
