package dev.pluginclient.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pluginclient.server.log.PluginLogger;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class VersionNegotiationTest {

    private static final PluginLogger LOG = PluginLogger.named("version-negotiation-test");
    private static final NavigableSet<Integer> OWN = new TreeSet<>(List.of(1, 2, 3));

    @Test
    void highestCommonVersionWins() {
        assertThat(VersionNegotiation.select(OWN, "1,2", LOG)).isEqualTo(2);
        assertThat(VersionNegotiation.select(OWN, "3, 1", LOG)).isEqualTo(3);
    }

    @Test
    void noOverlapServesLowestVersion() {
        assertThat(VersionNegotiation.select(OWN, "4,5", LOG)).isEqualTo(1);
    }

    @Test
    void absentListServesLowestVersion() {
        assertThat(VersionNegotiation.select(OWN, null, LOG)).isEqualTo(1);
        assertThat(VersionNegotiation.select(OWN, "", LOG)).isEqualTo(1);
    }

    @Test
    void invalidEntriesAreSkipped() {
        assertThat(VersionNegotiation.select(OWN, "x,2,,7y", LOG)).isEqualTo(2);
    }
}
