package dev.pluginclient.server;

import dev.pluginclient.protocol.Empty;
import dev.pluginclient.protocol.GRPCControllerGrpc;
import io.grpc.stub.StreamObserver;

/**
 * go-plugin's GRPCController. Unlike go-plugin's Go server, which stops before it replies, this one
 * replies first and then stops gracefully on another thread, so the host sees a clean reply.
 */
final class ControllerService extends GRPCControllerGrpc.GRPCControllerImplBase {

    private final Runnable stopAction;

    ControllerService(Runnable stopAction) {
        this.stopAction = stopAction;
    }

    @Override
    public void shutdown(Empty request, StreamObserver<Empty> responseObserver) {
        responseObserver.onNext(Empty.getDefaultInstance());
        responseObserver.onCompleted();

        Thread stopper = new Thread(stopAction, "plugin-shutdown");
        stopper.setDaemon(false);
        stopper.start();
    }
}
