package dev.pluginclient.server;

import dev.pluginclient.server.log.PluginLogger;
import java.util.HashSet;
import java.util.NavigableSet;
import java.util.Set;

/** Picks the application protocol version the way go-plugin's Go server does. */
final class VersionNegotiation {

    static final String PROTOCOL_VERSIONS_ENV = "PLUGIN_PROTOCOL_VERSIONS";

    private VersionNegotiation() {
    }

    /**
     * Returns the highest of {@code ownVersions} that the host offers in the comma-separated
     * {@code offered} list. When the list is absent or has no version in common, returns the lowest
     * own version so that the host can report the mismatch with both sides' versions. Invalid
     * entries are logged and skipped.
     */
    static int select(NavigableSet<Integer> ownVersions, String offered, PluginLogger log) {
        if (offered == null || offered.isBlank()) {
            return ownVersions.first();
        }

        Set<Integer> hostVersions = new HashSet<>();
        for (String entry : offered.split(",")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            try {
                hostVersions.add(Integer.parseInt(trimmed));
            } catch (NumberFormatException e) {
                log.warn("skipping an invalid entry in " + PROTOCOL_VERSIONS_ENV + "; expected an integer",
                        "entry", trimmed);
            }
        }

        for (int version : ownVersions.descendingSet()) {
            if (hostVersions.contains(version)) {
                return version;
            }
        }
        return ownVersions.first();
    }
}
