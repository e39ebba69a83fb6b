package dev.pluginclient.server;

import static org.assertj.core.api.Assertions.assertThat;

/** The fields of a handshake line as the tests read them. */
record Handshake(int coreVersion, int appVersion, String network, String address, String protocol,
        String certificate) {

    static Handshake parse(String line) {
        String[] fields = line.split("\\|", -1);
        assertThat(fields).as("fields of handshake line %s", line).hasSize(6);
        return new Handshake(Integer.parseInt(fields[0]), Integer.parseInt(fields[1]), fields[2], fields[3],
                fields[4], fields[5]);
    }
}
