package dev.pluginclient.spring.autoconfigure;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;

/**
 * A channel to one plugin that starts the plugin on the first call when it is configured as lazy.
 * That first call blocks the calling thread until the plugin is READY or its start failed. Every
 * other call goes straight to the client's stable channel.
 */
final class LazyStartChannel extends Channel {

    private final PluginClients.ManagedPlugin plugin;

    LazyStartChannel(PluginClients.ManagedPlugin plugin) {
        this.plugin = plugin;
    }

    @Override
    public <RequestT, ResponseT> ClientCall<RequestT, ResponseT> newCall(
            MethodDescriptor<RequestT, ResponseT> method, CallOptions callOptions) {
        plugin.ensureStarted();
        return plugin.client().channel().newCall(method, callOptions);
    }

    @Override
    public String authority() {
        return plugin.client().channel().authority();
    }

    @Override
    public String toString() {
        return "LazyStartChannel[" + plugin.name() + "]";
    }
}
