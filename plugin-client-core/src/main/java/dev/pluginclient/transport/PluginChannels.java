package dev.pluginclient.transport;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Builds gRPC channels to plugins over Unix sockets or TCP.
 *
 * <p>All channels share one small event loop group of daemon threads, so a host with a hundred
 * idle plugins does not pay a hundred sets of I/O threads. Native epoll is used where Netty's
 * bundled library loads (Linux); elsewhere JDK NIO, which supports Unix sockets since JDK 16.
 */
public final class PluginChannels {

    /** go-plugin's host lifts gRPC's 4 MiB message limit the same way. */
    private static final int MAX_MESSAGE_SIZE = Integer.MAX_VALUE;

    private static final boolean EPOLL = Epoll.isAvailable();

    private static final class EventLoop {
        // Two threads serve many idle plugins; busy hosts are limited by the plugins, not by this loop.
        static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(2,
                new DefaultThreadFactory("plugin-client-io", true),
                EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    private PluginChannels() {
    }

    /**
     * Creates a channel to {@code address} on {@code network} ({@code unix} or {@code tcp}).
     *
     * @param credentials TLS credentials, or null for plaintext
     */
    public static ManagedChannel create(String network, String address, ChannelCredentials credentials) {
        ChannelCredentials effective = credentials == null ? InsecureChannelCredentials.create() : credentials;
        SocketAddress socketAddress;
        Class<? extends Channel> channelType;
        if (network.equals("unix")) {
            socketAddress = EPOLL ? new DomainSocketAddress(address) : unixAddress(address);
            channelType = EPOLL ? EpollDomainSocketChannel.class : NioDomainSocketChannel.class;
        } else {
            socketAddress = tcpAddress(address);
            channelType = EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
        }
        return NettyChannelBuilder.forAddress(socketAddress, effective)
                .channelType(channelType)
                .eventLoopGroup(EventLoop.GROUP)
                // The certificate names localhost whatever the transport; go-plugin dials with that name too.
                .overrideAuthority("localhost")
                .maxInboundMessageSize(MAX_MESSAGE_SIZE)
                // Calls are retried by this library's own policy, which sees restarts; gRPC's built-in
                // retry would replay calls on a connection to a process that is gone.
                .disableRetry()
                .idleTimeout(365, TimeUnit.DAYS)
                .build();
    }

    private static SocketAddress unixAddress(String path) {
        return UnixDomainSocketAddress.of(path);
    }

    private static InetSocketAddress tcpAddress(String address) {
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(host, Integer.parseInt(address.substring(colon + 1)));
    }
}
