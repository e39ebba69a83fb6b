package dev.pluginclient.transport;

import com.google.protobuf.Empty;
import dev.pluginclient.log.PluginLogRelay;
import dev.pluginclient.protocol.ConnInfo;
import dev.pluginclient.protocol.GRPCBrokerGrpc;
import dev.pluginclient.protocol.GRPCControllerGrpc;
import dev.pluginclient.protocol.GRPCStdioGrpc;
import dev.pluginclient.protocol.StdioData;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC side of one plugin connection: the channel, the go-plugin services every plugin serves
 * (health, controller, stdio, broker) and their streams.
 */
public final class GrpcSession {

    private static final Logger LOG = LoggerFactory.getLogger(GrpcSession.class);

    /** go-plugin's health service name. */
    public static final String HEALTH_SERVICE = "plugin";

    private final String pluginName;
    private final ManagedChannel channel;
    private final PluginLogRelay relay;
    private final AtomicBoolean healthUnimplementedLogged = new AtomicBoolean();
    private final Map<Integer, ConnInfo> brokeredServices = new ConcurrentHashMap<>();
    private volatile ClientCallStreamObserver<Empty> stdioCall;
    private volatile StreamObserver<ConnInfo> brokerRequests;

    public GrpcSession(String pluginName, ManagedChannel channel, PluginLogRelay relay) {
        this.pluginName = pluginName;
        this.channel = channel;
        this.relay = relay;
    }

    public ManagedChannel channel() {
        return channel;
    }

    /**
     * Calls {@code Health/Check("plugin")}. A plugin without the health service (UNIMPLEMENTED) or
     * without the {@code plugin} entry (NOT_FOUND) counts as healthy, with one warning: some
     * non-Go plugins skip it, and go-plugin's own host does not require it either.
     *
     * @return whether the plugin reports SERVING
     */
    public boolean checkHealth(Duration timeout) {
        try {
            HealthCheckResponse response = HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(HEALTH_SERVICE).build());
            return response.getStatus() == HealthCheckResponse.ServingStatus.SERVING;
        } catch (StatusRuntimeException failure) {
            Status.Code code = failure.getStatus().getCode();
            if (code == Status.Code.UNIMPLEMENTED || code == Status.Code.NOT_FOUND) {
                if (healthUnimplementedLogged.compareAndSet(false, true)) {
                    LOG.warn("Plugin '{}' does not serve grpc.health.v1.Health for service 'plugin' ({}); "
                            + "hangs can only be detected through call timeouts", pluginName, code);
                }
                return true;
            }
            throw failure;
        }
    }

    /**
     * Opens {@code GRPCStdio/StreamStdio} and re-logs what arrives. go-plugin 1.0.1 and many
     * non-Go plugins do not serve it: UNIMPLEMENTED is expected and logged at debug level.
     */
    public void openStdio() {
        GRPCStdioGrpc.newStub(channel).streamStdio(Empty.getDefaultInstance(),
                new ClientResponseObserver<Empty, StdioData>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<Empty> call) {
                        stdioCall = call;
                    }

                    @Override
                    public void onNext(StdioData data) {
                        relay.stdioData(data.getChannel() == StdioData.Channel.STDERR, data.getData().toByteArray());
                    }

                    @Override
                    public void onError(Throwable failure) {
                        relay.flush();
                        Status status = Status.fromThrowable(failure);
                        if (status.getCode() == Status.Code.UNIMPLEMENTED) {
                            LOG.debug("Plugin '{}' does not serve plugin.GRPCStdio; its stdout and stderr after the "
                                    + "handshake are read from the pipes only", pluginName);
                        } else if (status.getCode() != Status.Code.CANCELLED
                                && status.getCode() != Status.Code.UNAVAILABLE) {
                            LOG.debug("Stdio stream of plugin '{}' ended: {}", pluginName, status);
                        }
                    }

                    @Override
                    public void onCompleted() {
                        relay.flush();
                    }
                });
    }

    /**
     * Opens {@code GRPCBroker/StartStream}, as go-plugin's host does right after connecting.
     * Go plugins that broker extra services announce them here; their connection details are
     * kept so that {@link #brokeredService(int)} can find them.
     */
    public void openBroker() {
        brokerRequests = GRPCBrokerGrpc.newStub(channel).startStream(new StreamObserver<>() {
            @Override
            public void onNext(ConnInfo info) {
                LOG.debug("Plugin '{}' brokered service {} on {} {}", pluginName, info.getServiceId(),
                        info.getNetwork(), info.getAddress());
                brokeredServices.put(info.getServiceId(), info);
            }

            @Override
            public void onError(Throwable failure) {
                Status status = Status.fromThrowable(failure);
                if (status.getCode() == Status.Code.UNIMPLEMENTED) {
                    LOG.debug("Plugin '{}' does not serve plugin.GRPCBroker", pluginName);
                }
            }

            @Override
            public void onCompleted() {
                // The plugin closed its side; nothing more will be brokered.
            }
        });
    }

    /** The connection details a plugin announced for a brokered service id, or null. */
    public ConnInfo brokeredService(int serviceId) {
        return brokeredServices.get(serviceId);
    }

    /**
     * Asks the plugin to exit through {@code GRPCController/Shutdown}.
     *
     * @return true when the plugin accepted; UNAVAILABLE counts as accepted because go-plugin's
     *         server stops before it replies
     */
    public boolean requestShutdown(Duration timeout) {
        try {
            GRPCControllerGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
                    .shutdown(dev.pluginclient.protocol.Empty.getDefaultInstance());
            return true;
        } catch (StatusRuntimeException failure) {
            Status.Code code = failure.getStatus().getCode();
            if (code == Status.Code.UNAVAILABLE) {
                return true;
            }
            LOG.debug("Plugin '{}' did not accept Shutdown: {}", pluginName, failure.getStatus());
            return false;
        }
    }

    /** Cancels the streams and closes the channel without waiting. */
    public void close() {
        ClientCallStreamObserver<Empty> stdio = stdioCall;
        if (stdio != null) {
            stdio.cancel("host closed the connection", null);
        }
        StreamObserver<ConnInfo> broker = brokerRequests;
        if (broker != null) {
            try {
                broker.onCompleted();
            } catch (RuntimeException alreadyClosed) {
                // The stream ended with the process.
            }
        }
        channel.shutdownNow();
        relay.flush();
    }
}
