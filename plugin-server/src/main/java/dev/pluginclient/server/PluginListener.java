package dev.pluginclient.server;

import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The plugin's started gRPC server with the Unix socket or loopback TCP port it listens on. */
final class PluginListener implements AutoCloseable {

    static final String MIN_PORT_ENV = "PLUGIN_MIN_PORT";
    static final String MAX_PORT_ENV = "PLUGIN_MAX_PORT";
    static final String SOCKET_DIR_ENV = "PLUGIN_UNIX_SOCKET_DIR";
    static final String SOCKET_GROUP_ENV = "PLUGIN_UNIX_SOCKET_GROUP";

    // sun_path holds 108 bytes on Linux, including the terminating NUL.
    private static final int MAX_SOCKET_PATH_BYTES = 107;

    private final Server server;
    private final Transport transport;
    private final String address;
    private final Path socketPath;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;

    private PluginListener(Server server, Transport transport, String address, Path socketPath,
            EventLoopGroup bossGroup, EventLoopGroup workerGroup) {
        this.server = server;
        this.transport = transport;
        this.address = address;
        this.socketPath = socketPath;
        this.bossGroup = bossGroup;
        this.workerGroup = workerGroup;
    }

    Server server() {
        return server;
    }

    Transport transport() {
        return transport;
    }

    String address() {
        return address;
    }

    /** Returns true when Unix domain sockets can be served here, which needs Netty's epoll transport. */
    static boolean unixSocketsAvailable() {
        return Epoll.isAvailable();
    }

    /**
     * Starts a gRPC server on a new Unix socket or a free loopback port.
     *
     * @param services adds the services, credentials-independent options and interceptors
     */
    static PluginListener bind(Transport transport, Map<String, String> env, ServerCredentials credentials,
            Consumer<NettyServerBuilder> services) {
        return transport == Transport.UNIX
                ? bindUnix(env, credentials, services)
                : bindTcp(env, credentials, services);
    }

    private static PluginListener bindUnix(Map<String, String> env, ServerCredentials credentials,
            Consumer<NettyServerBuilder> services) {
        Path socketPath = newSocketPath(env);
        EventLoopGroup boss = new EpollEventLoopGroup(1, new DefaultThreadFactory("plugin-grpc-boss", true));
        EventLoopGroup workers = new EpollEventLoopGroup(0, new DefaultThreadFactory("plugin-grpc-worker", true));

        NettyServerBuilder builder = NettyServerBuilder
                .forAddress(new DomainSocketAddress(socketPath.toString()), credentials)
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(workers);
        services.accept(builder);

        Server server = builder.build();
        try {
            server.start();
        } catch (IOException e) {
            shutdownGroups(boss, workers);
            throw new PluginStartException("failed to listen on Unix socket " + socketPath + ": " + e.getMessage()
                    + "; check that the directory is writable or set " + SOCKET_DIR_ENV, e);
        }

        PluginListener listener = new PluginListener(server, Transport.UNIX, socketPath.toString(), socketPath,
                boss, workers);
        String group = env.get(SOCKET_GROUP_ENV);
        if (group != null && !group.isBlank()) {
            try {
                setGroupWritable(socketPath, group.trim());
            } catch (IOException | RuntimeException e) {
                listener.close();
                throw new PluginStartException("failed to give group " + group.trim() + " access to Unix socket "
                        + socketPath + " as " + SOCKET_GROUP_ENV + " requests: " + e.getMessage(), e);
            }
        }
        return listener;
    }

    private static Path newSocketPath(Map<String, String> env) {
        String configured = env.get(SOCKET_DIR_ENV);
        String directoryName = configured != null && !configured.isBlank()
                ? configured
                : System.getProperty("java.io.tmpdir");
        Path directory = Path.of(directoryName).toAbsolutePath();
        if (!Files.isDirectory(directory)) {
            throw new PluginStartException("Unix socket directory " + directory + " does not exist; set "
                    + SOCKET_DIR_ENV + " or java.io.tmpdir to an existing directory");
        }

        SecureRandom random = new SecureRandom();
        for (int attempt = 0; attempt < 100; attempt++) {
            Path candidate = directory.resolve("plugin" + Integer.toUnsignedString(random.nextInt()));
            int length = candidate.toString().getBytes(StandardCharsets.UTF_8).length;
            if (length > MAX_SOCKET_PATH_BYTES) {
                throw new PluginStartException("Unix socket path " + candidate + " is " + length
                        + " bytes long, more than the limit of " + MAX_SOCKET_PATH_BYTES + "; set " + SOCKET_DIR_ENV
                        + " or java.io.tmpdir to a shorter directory");
            }
            if (!Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new PluginStartException("failed to find an unused socket name in " + directory);
    }

    private static void setGroupWritable(Path socketPath, String group) throws IOException {
        GroupPrincipal principal = socketPath.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByGroupName(group);
        PosixFileAttributeView view = Files.getFileAttributeView(socketPath, PosixFileAttributeView.class);
        view.setGroup(principal);
        Files.setPosixFilePermissions(socketPath, PosixFilePermissions.fromString("rw-rw----"));
    }

    private static PluginListener bindTcp(Map<String, String> env, ServerCredentials credentials,
            Consumer<NettyServerBuilder> services) {
        int[] range = portRange(env);
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup boss = epoll
                ? new EpollEventLoopGroup(1, new DefaultThreadFactory("plugin-grpc-boss", true))
                : new NioEventLoopGroup(1, new DefaultThreadFactory("plugin-grpc-boss", true));
        EventLoopGroup workers = epoll
                ? new EpollEventLoopGroup(0, new DefaultThreadFactory("plugin-grpc-worker", true))
                : new NioEventLoopGroup(0, new DefaultThreadFactory("plugin-grpc-worker", true));
        Class<? extends ServerChannel> channelType = epoll
                ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        InetAddress loopback = InetAddress.getLoopbackAddress();

        // go-plugin tries every port of the host's range in order and takes the first free one.
        for (int port = range[0]; port <= range[1]; port++) {
            SocketAddress socketAddress = new InetSocketAddress(loopback, port);
            NettyServerBuilder builder = NettyServerBuilder.forAddress(socketAddress, credentials)
                    .channelType(channelType)
                    .bossEventLoopGroup(boss)
                    .workerEventLoopGroup(workers);
            services.accept(builder);
            Server server = builder.build();
            try {
                server.start();
                String address = loopback.getHostAddress() + ":" + server.getPort();
                return new PluginListener(server, Transport.TCP, address, null, boss, workers);
            } catch (IOException e) {
                if (!isBindFailure(e)) {
                    shutdownGroups(boss, workers);
                    throw new PluginStartException("failed to listen on " + socketAddress + ": " + e.getMessage(), e);
                }
            }
        }
        shutdownGroups(boss, workers);
        throw new PluginStartException("no free TCP port on " + loopback.getHostAddress() + " between "
                + range[0] + " and " + range[1] + "; widen the range in " + MIN_PORT_ENV + " and " + MAX_PORT_ENV
                + " or free a port in it");
    }

    private static boolean isBindFailure(IOException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof BindException) {
                return true;
            }
            String message = cause.getMessage();
            if (message != null && message.contains("Address already in use")) {
                return true;
            }
        }
        return false;
    }

    // Returns {min, max}. Both variables absent means an OS-assigned port, as in go-plugin.
    static int[] portRange(Map<String, String> env) {
        String min = env.get(MIN_PORT_ENV);
        String max = env.get(MAX_PORT_ENV);
        boolean minAbsent = min == null || min.isBlank();
        boolean maxAbsent = max == null || max.isBlank();
        if (minAbsent && maxAbsent) {
            return new int[] {0, 0};
        }
        if (minAbsent || maxAbsent) {
            throw new PluginStartException((minAbsent ? MIN_PORT_ENV : MAX_PORT_ENV) + " is missing while "
                    + (minAbsent ? MAX_PORT_ENV : MIN_PORT_ENV) + " is set; set both or neither");
        }
        int minPort = parsePort(MIN_PORT_ENV, min);
        int maxPort = parsePort(MAX_PORT_ENV, max);
        if (minPort > maxPort) {
            throw new PluginStartException(MIN_PORT_ENV + " (" + minPort + ") is greater than " + MAX_PORT_ENV
                    + " (" + maxPort + "); set a minimum port that is less than or equal to the maximum");
        }
        return new int[] {minPort, maxPort};
    }

    private static int parsePort(String name, String value) {
        try {
            int port = Integer.parseInt(value.trim());
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new PluginStartException("invalid " + name + " value \"" + value.trim()
                    + "\"; expected a port number from 0 to 65535");
        }
    }

    /** Stops the server at once, removes the socket file and releases the event loop threads. */
    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteSocketFile();
        shutdownGroups(bossGroup, workerGroup);
    }

    void deleteSocketFile() {
        if (socketPath != null) {
            try {
                Files.deleteIfExists(socketPath);
            } catch (IOException e) {
                // Left behind in a temporary directory; nothing else depends on it.
            }
        }
    }

    private static void shutdownGroups(EventLoopGroup boss, EventLoopGroup workers) {
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
