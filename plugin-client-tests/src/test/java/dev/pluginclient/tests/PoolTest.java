package dev.pluginclient.tests;

import static dev.pluginclient.tests.CalculatorPlugin.calculator;
import static dev.pluginclient.tests.CalculatorPlugin.faults;
import static dev.pluginclient.tests.CalculatorPlugin.pair;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pluginclient.PluginClient;
import dev.pluginclient.calculator.v1.InfoRequest;
import dev.pluginclient.resilience.RetryPolicy;
import dev.pluginclient.supervision.PluginState;
import dev.pluginclient.supervision.PluginStatus;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Several processes of one plugin behind one channel: a dead member leaves the rotation and rejoins. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PoolTest {

    private static final int POOL_SIZE = 3;

    @Test
    void deadMemberLeavesAndRejoins() throws Exception {
        PluginClient client = PluginClient.builder(CalculatorPlugin.config("calculator-pool").build())
                .poolSize(POOL_SIZE)
                .retry(RetryPolicy.defaults().withIdempotentMethods(List.of(CalculatorPlugin.IDEMPOTENT_SERVICE)))
                .build();
        try {
            client.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> readyMembers(client.status()) == POOL_SIZE);
            PluginStatus before = client.status();
            Set<Long> pids = new HashSet<>();
            before.members().forEach(member -> pids.add(member.pid()));
            assertThat(pids).as("distinct member pids").hasSize(POOL_SIZE);
            assertThat(servingPids(client, 30)).as("pids that served calls").isEqualTo(pids);

            long victim = before.members().get(1).pid();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger succeeded = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            Thread caller = new Thread(() -> {
                while (running.get()) {
                    try {
                        calculator(client).add(pair(1, 2));
                        succeeded.incrementAndGet();
                    } catch (StatusRuntimeException failure) {
                        failed.incrementAndGet();
                    }
                }
            }, "pool-test-caller");
            caller.start();

            CalculatorPlugin.kill(victim);
            await().atMost(Duration.ofSeconds(5)).until(() -> client.status().members().get(1).state()
                    != PluginState.READY);
            int duringOutage = succeeded.get();
            Thread.sleep(200);
            assertThat(succeeded.get()).as("calls served by the other members during the outage")
                    .isGreaterThan(duringOutage);
            assertThat(client.state()).isEqualTo(PluginState.READY);

            await().atMost(Duration.ofSeconds(30)).until(() -> readyMembers(client.status()) == POOL_SIZE
                    && client.status().members().get(1).pid() != victim);
            running.set(false);
            caller.join(10_000);

            assertThat(failed.get()).as("failed calls").isZero();
            Set<Long> after = new HashSet<>();
            client.status().members().forEach(member -> after.add(member.pid()));
            assertThat(after).hasSize(POOL_SIZE).doesNotContain(victim);
            assertThat(servingPids(client, 30)).as("pids that served calls after the rejoin").isEqualTo(after);
        } finally {
            client.stop();
        }
    }

    private static long readyMembers(PluginStatus status) {
        return status.members().stream().filter(member -> member.state() == PluginState.READY).count();
    }

    private static Set<Long> servingPids(PluginClient client, int calls) {
        Set<Long> pids = new HashSet<>();
        for (int call = 0; call < calls; call++) {
            pids.add(faults(client).info(InfoRequest.getDefaultInstance()).getPid());
        }
        return pids;
    }
}
