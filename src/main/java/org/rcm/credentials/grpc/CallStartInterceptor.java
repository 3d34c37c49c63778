package org.rcm.credentials.grpc;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Prioritized;

/**
 * Starts every call once its stream is set up, whether or not its answer can be sent yet.
 *
 * <p>Quarkus runs a call's interceptors and handler only at the call's first event (its
 * duplicated-context interceptor starts the rest lazily), and the Vert.x gRPC bridge's first
 * event is {@code onReady}: sent when the call is set up if its HTTP/2 stream is writable then,
 * else when the stream drains. The request message cannot come first, since nobody has asked
 * for it yet. So a call that arrives while its stream is not writable (a client's receive window
 * at zero, or the connection's send buffer over its high-water mark while a burst of answers
 * goes out, as after a database stall) waits for a drain that Vert.x and Netty do not always
 * report: the benchmark saw thousands of calls never started and never answered.
 *
 * <p>This interceptor, outside all others, gives such a call the {@code onReady} it missed, on
 * its own context right after the set-up; a spurious {@code onReady} is allowed by gRPC (a
 * listener checks {@link ServerCall#isReady()}). A call that has heard anything by then is
 * left alone.
 */
@GlobalInterceptor
@ApplicationScoped
public class CallStartInterceptor implements ServerInterceptor, Prioritized {

    /** Outside Quarkus' own interceptors, the duplicated-context one (Integer.MAX_VALUE - 5) included. */
    public static final int PRIORITY = Integer.MAX_VALUE;

    @Override
    public int getPriority() {
        return PRIORITY;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        Context context = Vertx.currentContext();
        if (context == null) {
            return next.startCall(call, headers);
        }
        StartedListener<ReqT> listener = new StartedListener<>(next.startCall(call, headers));
        context.runOnContext(ignored -> listener.start());
        return listener;
    }

    /** Forwards events and notes the first; {@link #start()} sends {@code onReady} to a call that heard none. */
    private static final class StartedListener<ReqT> extends SimpleForwardingServerCallListener<ReqT> {
        /** Read and written on the call's context only. */
        private boolean heard;

        StartedListener(ServerCall.Listener<ReqT> delegate) {
            super(delegate);
        }

        void start() {
            if (!heard) {
                onReady();
            }
        }

        @Override
        public void onReady() {
            heard = true;
            super.onReady();
        }

        @Override
        public void onMessage(ReqT message) {
            heard = true;
            super.onMessage(message);
        }

        @Override
        public void onHalfClose() {
            heard = true;
            super.onHalfClose();
        }

        @Override
        public void onCancel() {
            heard = true;
            super.onCancel();
        }

        @Override
        public void onComplete() {
            heard = true;
            super.onComplete();
        }
    }
}
