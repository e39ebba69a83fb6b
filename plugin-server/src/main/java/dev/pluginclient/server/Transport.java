package dev.pluginclient.server;

/** The kind of listener a plugin serves on, as named in the third handshake field. */
public enum Transport {

    /** A Unix domain socket, go-plugin's default on every OS except Windows. */
    UNIX("unix"),

    /** A TCP port on 127.0.0.1, taken from the host's PLUGIN_MIN_PORT..PLUGIN_MAX_PORT range. */
    TCP("tcp");

    private final String network;

    Transport(String network) {
        this.network = network;
    }

    /** Returns the network name that the handshake line carries: {@code unix} or {@code tcp}. */
    public String network() {
        return network;
    }
}
