package dev.pluginclient.benchmarks;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Plain grpc-java channels, built the way an application without this library would: a
 * {@link NettyChannelBuilder} with its own event loop, grpc-java's defaults and no interceptors.
 * They are the baseline of {@code call_overhead}.
 */
final class PlainChannels {

    private PlainChannels() {
    }

    /** A channel with its event loop group, both closed by {@link #close()}. */
    record PlainChannel(ManagedChannel channel, EventLoopGroup eventLoop) implements AutoCloseable {

        @Override
        public void close() {
            channel.shutdownNow();
            try {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** Opens a plaintext channel to {@code address} on {@code network} ({@code unix} or {@code tcp}). */
    static PlainChannel open(String network, String address) {
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("Netty's native epoll transport is not available here, so a plain channel "
                    + "to a Unix socket cannot be built the same way as the library's: " + Epoll.unavailabilityCause());
        }
        EventLoopGroup eventLoop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("plain-grpc", true),
                EpollIoHandler.newFactory());
        SocketAddress socketAddress;
        NettyChannelBuilder builder;
        if (network.equals("unix")) {
            socketAddress = new DomainSocketAddress(address);
            builder = NettyChannelBuilder.forAddress(socketAddress).channelType(EpollDomainSocketChannel.class);
        } else {
            int colon = address.lastIndexOf(':');
            socketAddress = new InetSocketAddress(address.substring(0, colon),
                    Integer.parseInt(address.substring(colon + 1)));
            builder = NettyChannelBuilder.forAddress(socketAddress).channelType(EpollSocketChannel.class);
        }
        ManagedChannel channel = builder
                .eventLoopGroup(eventLoop)
                .overrideAuthority("localhost")
                .usePlaintext()
                .build();
        return new PlainChannel(channel, eventLoop);
    }
}
