package dev.pluginclient;

import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The handshake settings a host and its plugin must agree on: the magic cookie and the application
 * protocol versions the host offers.
 *
 * <p>The magic cookie is not a security measure. It only keeps a user from running a plugin binary
 * by hand by mistake: the plugin refuses to serve when the variable is missing or wrong.
 *
 * @param magicCookieKey name of the environment variable that carries the cookie
 * @param magicCookieValue the value the plugin expects; never logged
 * @param protocolVersions app protocol versions the host offers, each at least 1
 */
public record HandshakeConfig(String magicCookieKey, String magicCookieValue, SortedSet<Integer> protocolVersions) {

    public HandshakeConfig {
        Objects.requireNonNull(magicCookieKey, "magicCookieKey");
        Objects.requireNonNull(magicCookieValue, "magicCookieValue");
        protocolVersions = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(
                Objects.requireNonNull(protocolVersions, "protocolVersions")));
    }

    public static HandshakeConfig of(String magicCookieKey, String magicCookieValue, int... protocolVersions) {
        SortedSet<Integer> versions = new TreeSet<>();
        for (int version : protocolVersions) {
            versions.add(version);
        }
        return new HandshakeConfig(magicCookieKey, magicCookieValue, versions);
    }

    public static HandshakeConfig of(String magicCookieKey, String magicCookieValue, List<Integer> protocolVersions) {
        return new HandshakeConfig(magicCookieKey, magicCookieValue, new TreeSet<>(protocolVersions));
    }

    @Override
    public String toString() {
        return "HandshakeConfig[magicCookieKey=" + magicCookieKey + ", magicCookieValue=<redacted>, protocolVersions="
                + protocolVersions + "]";
    }
}
