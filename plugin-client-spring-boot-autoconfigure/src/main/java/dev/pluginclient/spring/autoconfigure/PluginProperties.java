package dev.pluginclient.spring.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * Configuration of one plugin under {@code plugin-client.plugins.<name>}: how to start it (or where
 * to find it) plus every setting of {@link PluginSettings}.
 */
public class PluginProperties extends PluginSettings {

    /**
     * The plugin executable and its arguments, as a list. It is never passed through a shell.
     * Required unless reattach is set.
     */
    private List<String> command = new ArrayList<>();

    /** Address of a plugin that is already running, used instead of starting it from command. */
    @NestedConfigurationProperty
    private Reattach reattach = new Reattach();

    public List<String> getCommand() {
        return command;
    }

    public void setCommand(List<String> command) {
        this.command = command;
    }

    public Reattach getReattach() {
        return reattach;
    }

    public void setReattach(Reattach reattach) {
        this.reattach = reattach;
    }

    /** Address of a running plugin to connect to. */
    public static class Reattach {

        /** Network of the plugin's listener: unix or tcp. */
        private String network;

        /** Socket path (unix) or host:port (tcp) the plugin listens on. */
        private String address;

        /** RPC protocol of the plugin. Only grpc is supported. */
        private String protocol = "grpc";

        /** Application protocol version the running plugin serves. */
        private int protocolVersion = 1;

        /** Process id of the running plugin, or 0 when unknown. With a pid, the host watches the process. */
        private long pid;

        /** Whether stopping the application also shuts the reattached plugin down. */
        private boolean terminateOnStop;

        /** Tells whether any reattach setting that selects a plugin was given. */
        public boolean isConfigured() {
            return network != null || address != null;
        }

        public String getNetwork() {
            return network;
        }

        public void setNetwork(String network) {
            this.network = network;
        }

        public String getAddress() {
            return address;
        }

        public void setAddress(String address) {
            this.address = address;
        }

        public String getProtocol() {
            return protocol;
        }

        public void setProtocol(String protocol) {
            this.protocol = protocol;
        }

        public int getProtocolVersion() {
            return protocolVersion;
        }

        public void setProtocolVersion(int protocolVersion) {
            this.protocolVersion = protocolVersion;
        }

        public long getPid() {
            return pid;
        }

        public void setPid(long pid) {
            this.pid = pid;
        }

        public boolean isTerminateOnStop() {
            return terminateOnStop;
        }

        public void setTerminateOnStop(boolean terminateOnStop) {
            this.terminateOnStop = terminateOnStop;
        }
    }
}
