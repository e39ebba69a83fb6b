package dev.pluginclient.server;

import dev.pluginclient.protocol.ConnInfo;
import dev.pluginclient.protocol.GRPCBrokerGrpc;
import dev.pluginclient.server.log.PluginLogger;
import io.grpc.stub.StreamObserver;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * go-plugin's GRPCBroker: accepts the stream that Go hosts open right after connecting and keeps it
 * open until the plugin stops. The plugin offers no brokered services, so received connection
 * information is only logged.
 */
final class BrokerService extends GRPCBrokerGrpc.GRPCBrokerImplBase implements AutoCloseable {

    private final PluginLogger log;
    private final Set<StreamObserver<ConnInfo>> streams = ConcurrentHashMap.newKeySet();

    BrokerService(PluginLogger log) {
        this.log = log;
    }

    @Override
    public StreamObserver<ConnInfo> startStream(StreamObserver<ConnInfo> responseObserver) {
        streams.add(responseObserver);
        return new StreamObserver<>() {
            @Override
            public void onNext(ConnInfo info) {
                log.debug("broker received connection info", "service_id", info.getServiceId(),
                        "network", info.getNetwork(), "address", info.getAddress());
            }

            @Override
            public void onError(Throwable t) {
                streams.remove(responseObserver);
            }

            @Override
            public void onCompleted() {
                if (streams.remove(responseObserver)) {
                    completeQuietly(responseObserver);
                }
            }
        };
    }

    @Override
    public void close() {
        for (StreamObserver<ConnInfo> stream : streams) {
            if (streams.remove(stream)) {
                completeQuietly(stream);
            }
        }
    }

    private static void completeQuietly(StreamObserver<ConnInfo> stream) {
        try {
            stream.onCompleted();
        } catch (RuntimeException e) {
            // The host already cancelled the stream.
        }
    }
}
