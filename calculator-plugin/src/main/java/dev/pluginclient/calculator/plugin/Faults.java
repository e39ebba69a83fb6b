package dev.pluginclient.calculator.plugin;

import dev.pluginclient.calculator.v1.CalculatorGrpc;
import dev.pluginclient.calculator.v1.FaultInjectionGrpc;
import dev.pluginclient.calculator.v1.HangRequest;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The fault switches of the calculator plugin, applied by an interceptor to every call.
 *
 * <p>FaultInjection calls are never affected, so that a test can always call Reset. A hang with
 * scope ALL parks every other call, including health checks, GRPCController and GRPCStdio, the way
 * a stopped (SIGSTOP) process would leave them unanswered. Parked calls stay open until the client
 * cancels them or Reset closes them with UNAVAILABLE. Unlike a stopped process, the plugin still
 * replies to HTTP/2 pings.
 */
final class Faults implements ServerInterceptor {

    private static final String CALCULATOR_SERVICE = CalculatorGrpc.SERVICE_NAME;
    private static final String FAULT_SERVICE = FaultInjectionGrpc.SERVICE_NAME;

    // null means no hang.
    private final AtomicReference<HangRequest.Scope> hang = new AtomicReference<>();
    private final AtomicLong delayMillis = new AtomicLong();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private final Set<ServerCall<?, ?>> parked = ConcurrentHashMap.newKeySet();

    void hang(HangRequest.Scope scope) {
        hang.set(scope);
    }

    void slow(long millis) {
        delayMillis.set(Math.max(0, millis));
    }

    void failNext(int count) {
        failuresLeft.set(Math.max(0, count));
    }

    /** Turns every switch off and ends parked calls with UNAVAILABLE. */
    void reset() {
        hang.set(null);
        delayMillis.set(0);
        failuresLeft.set(0);
        for (ServerCall<?, ?> call : parked) {
            if (parked.remove(call)) {
                closeQuietly(call, Status.UNAVAILABLE.withDescription("call was parked by FaultInjection.Hang "
                        + "and released by FaultInjection.Reset"));
            }
        }
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        String service = call.getMethodDescriptor().getServiceName();
        if (FAULT_SERVICE.equals(service)) {
            return next.startCall(call, headers);
        }

        HangRequest.Scope scope = hang.get();
        boolean calculatorCall = CALCULATOR_SERVICE.equals(service);
        if (scope == HangRequest.Scope.ALL || (scope == HangRequest.Scope.CALLS && calculatorCall)) {
            return park(call);
        }
        if (!calculatorCall) {
            return next.startCall(call, headers);
        }

        if (failuresLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            call.close(Status.UNAVAILABLE.withDescription("injected failure: FaultInjection.FailNext is active"),
                    new Metadata());
            return new ServerCall.Listener<>() { };
        }

        long delay = delayMillis.get();
        if (delay > 0) {
            // interceptCall runs on a gRPC application thread, not on a Netty event loop, so sleeping
            // here delays only this call.
            try {
                TimeUnit.MILLISECONDS.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return next.startCall(call, headers);
    }

    private <Q> ServerCall.Listener<Q> park(ServerCall<Q, ?> call) {
        parked.add(call);
        return new ServerCall.Listener<>() {
            @Override
            public void onCancel() {
                parked.remove(call);
            }
        };
    }

    private static void closeQuietly(ServerCall<?, ?> call, Status status) {
        try {
            call.close(status, new Metadata());
        } catch (RuntimeException e) {
            // The client cancelled at the same moment.
        }
    }
}
