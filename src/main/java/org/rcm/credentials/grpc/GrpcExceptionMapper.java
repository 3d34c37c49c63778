package org.rcm.credentials.grpc;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.quarkus.grpc.ExceptionHandler;
import io.quarkus.grpc.ExceptionHandlerProvider;
import io.quarkus.security.AuthenticationException;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.DatabaseException;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;
import org.rcm.credentials.error.BrokerException;

/**
 * The one place where failures become gRPC statuses. Domain failures keep their
 * caller-facing message and carry a {@code google.rpc.ErrorInfo} with a stable reason;
 * anything unexpected becomes INTERNAL with an incident id, and its details go only to the
 * (sanitised) server log.
 */
@ApplicationScoped
public class GrpcExceptionMapper implements ExceptionHandlerProvider {

    /** {@code ErrorInfo.domain} of every error this service reports. */
    public static final String ERROR_DOMAIN = "credentials.rcm.org";

    private static final Logger LOG = Logger.getLogger(GrpcExceptionMapper.class);

    @Override
    public <ReqT, RespT> ExceptionHandler<ReqT, RespT> createHandler(ServerCall.Listener<ReqT> listener,
            ServerCall<ReqT, RespT> call, Metadata metadata) {
        return new ExceptionHandler<>(listener, call, metadata) {
            @Override
            protected void handleException(Throwable failure, ServerCall<ReqT, RespT> serverCall, Metadata headers) {
                StatusRuntimeException status = toStatusRuntimeException(failure);
                Metadata trailers = status.getTrailers();
                serverCall.close(status.getStatus(), trailers == null ? new Metadata() : trailers);
            }
        };
    }

    @Override
    public Throwable transform(Throwable failure) {
        return toStatusRuntimeException(failure);
    }

    /** Maps any failure to the status a caller sees. */
    public static StatusRuntimeException toStatusRuntimeException(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof BrokerException e) {
            return withErrorInfo(codeOf(e.kind()), e.getMessage(), e.reason(), e.retryDelay());
        }
        if (t instanceof StatusRuntimeException e) {
            return e;
        }
        if (t instanceof StatusException e) {
            return new StatusRuntimeException(e.getStatus(), e.getTrailers());
        }
        if (t instanceof AuthenticationException) {
            return withErrorInfo(Code.UNAUTHENTICATED, "the client certificate is not accepted", "UNAUTHENTICATED");
        }
        if (t instanceof SecurityException) {
            return withErrorInfo(Code.PERMISSION_DENIED, "the caller may not do this", "PERMISSION_DENIED");
        }
        if (databaseUnreachable(t)) {
            LOG.warnf("The database is unreachable: %s", t.getClass().getName());
            return withErrorInfo(Code.UNAVAILABLE, "the database is unreachable; retry with backoff", "DATABASE_UNAVAILABLE");
        }
        String incident = UUID.randomUUID().toString();
        LOG.errorf(t, "Unexpected failure, incident %s", incident);
        return withErrorInfo(Code.INTERNAL, "internal error (incident " + incident + ")", "INTERNAL");
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * Postgres could not be reached or went away (refused, reset or closed connections, a
     * server shutting down or out of connections): a dependency outage, not a bug.
     */
    private static boolean databaseUnreachable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof SocketException || t instanceof ClosedChannelException
                    || t instanceof ClosedConnectionException) {
                return true;
            }
            if (t instanceof DatabaseException db && db.getSqlState() != null
                    && (db.getSqlState().startsWith("08") || db.getSqlState().startsWith("57P")
                            || db.getSqlState().equals("53300"))) {
                return true;
            }
        }
        return false;
    }

    private static Code codeOf(BrokerException.Kind kind) {
        return switch (kind) {
            case INVALID_INPUT -> Code.INVALID_ARGUMENT;
            case NOT_FOUND -> Code.NOT_FOUND;
            case CONFLICT -> Code.ALREADY_EXISTS;
            case IN_PROGRESS -> Code.ABORTED;
            case FAILED_PRECONDITION -> Code.FAILED_PRECONDITION;
            case PERMISSION_DENIED -> Code.PERMISSION_DENIED;
            case UNAUTHENTICATED -> Code.UNAUTHENTICATED;
            case UNAVAILABLE -> Code.UNAVAILABLE;
            case UNIMPLEMENTED -> Code.UNIMPLEMENTED;
            case RESOURCE_EXHAUSTED -> Code.RESOURCE_EXHAUSTED;
            case DEADLINE_EXCEEDED -> Code.DEADLINE_EXCEEDED;
        };
    }

    private static StatusRuntimeException withErrorInfo(Code code, String message, String reason) {
        return withErrorInfo(code, message, reason, null);
    }

    /** The status with an ErrorInfo and, when {@code retryDelay} is given, a RetryInfo. */
    private static StatusRuntimeException withErrorInfo(Code code, String message, String reason, Duration retryDelay) {
        com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
                .setCode(code.getNumber())
                .setMessage(message)
                .addDetails(Any.pack(ErrorInfo.newBuilder()
                        .setReason(reason)
                        .setDomain(ERROR_DOMAIN)
                        .build()));
        if (retryDelay != null) {
            status.addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(com.google.protobuf.Duration.newBuilder()
                    .setSeconds(retryDelay.getSeconds()).setNanos(retryDelay.getNano())).build()));
        }
        return StatusProto.toStatusRuntimeException(status.build());
    }
}
