package dev.pluginclient.calculator.plugin;

import dev.pluginclient.calculator.v1.BinaryRequest;
import dev.pluginclient.calculator.v1.CalculatorGrpc;
import dev.pluginclient.calculator.v1.DivideResult;
import dev.pluginclient.calculator.v1.Number;
import dev.pluginclient.calculator.v1.Result;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/** calculator.v1.Calculator on 64-bit integers. Add, Subtract and Multiply wrap around on overflow. */
final class CalculatorService extends CalculatorGrpc.CalculatorImplBase {

    @Override
    public void add(BinaryRequest request, StreamObserver<Result> responseObserver) {
        reply(responseObserver, request.getA() + request.getB());
    }

    @Override
    public void subtract(BinaryRequest request, StreamObserver<Result> responseObserver) {
        reply(responseObserver, request.getA() - request.getB());
    }

    @Override
    public void multiply(BinaryRequest request, StreamObserver<Result> responseObserver) {
        reply(responseObserver, request.getA() * request.getB());
    }

    @Override
    public void divide(BinaryRequest request, StreamObserver<DivideResult> responseObserver) {
        if (request.getB() == 0) {
            responseObserver.onError(Status.INVALID_ARGUMENT
                    .withDescription("division by zero: b must not be 0")
                    .asRuntimeException());
            return;
        }
        responseObserver.onNext(DivideResult.newBuilder()
                .setValue((double) request.getA() / request.getB())
                .build());
        responseObserver.onCompleted();
    }

    @Override
    public StreamObserver<Number> runningSum(StreamObserver<Result> responseObserver) {
        return new StreamObserver<>() {
            private long total;

            @Override
            public void onNext(Number number) {
                total += number.getValue();
                responseObserver.onNext(Result.newBuilder().setValue(total).build());
            }

            @Override
            public void onError(Throwable t) {
                // The client cancelled the stream, so no reply can be sent.
            }

            @Override
            public void onCompleted() {
                responseObserver.onCompleted();
            }
        };
    }

    private static void reply(StreamObserver<Result> responseObserver, long value) {
        responseObserver.onNext(Result.newBuilder().setValue(value).build());
        responseObserver.onCompleted();
    }
}
