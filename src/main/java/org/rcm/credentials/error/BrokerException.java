package org.rcm.credentials.error;

import java.time.Duration;
import java.util.Objects;

/**
 * A failure the caller is told about. The message is written for the caller and must never
 * contain an ARN, an account id, a parameter path or a secret value: it reaches gRPC status
 * descriptions, audit rows and log lines as it is.
 *
 * <p>{@link #kind()} decides the gRPC status (see {@code grpc.GrpcExceptionMapper});
 * {@link #reason()} is a stable, machine-readable code sent as {@code ErrorInfo.reason}.
 */
public final class BrokerException extends RuntimeException {

    /** What went wrong, from the caller's point of view; one gRPC status each. */
    public enum Kind {
        /** Malformed input; nothing was changed. INVALID_ARGUMENT. */
        INVALID_INPUT,
        /** The portal or its credentials do not exist in the caller's tenant. NOT_FOUND. */
        NOT_FOUND,
        /** The request conflicts with an earlier one. ALREADY_EXISTS. */
        CONFLICT,
        /** Another request with the same idempotency key is in progress. ABORTED. */
        IN_PROGRESS,
        /** The portal is not in a state that allows this request; nothing was changed. FAILED_PRECONDITION. */
        FAILED_PRECONDITION,
        /** The caller's role or address may not do this. PERMISSION_DENIED. */
        PERMISSION_DENIED,
        /** The client certificate maps to no tenant. UNAUTHENTICATED. */
        UNAUTHENTICATED,
        /** A dependency cannot serve now; nothing was returned. UNAVAILABLE. */
        UNAVAILABLE,
        /** Part of the contract, not served by this version. UNIMPLEMENTED. */
        UNIMPLEMENTED,
        /** A per-caller share is used up for now; {@link #retryDelay()} says for how long. RESOURCE_EXHAUSTED. */
        RESOURCE_EXHAUSTED,
        /** The caller's deadline is shorter than the wait it asked for. DEADLINE_EXCEEDED. */
        DEADLINE_EXCEEDED
    }

    private final Kind kind;
    private final String reason;
    private final Duration retryDelay;

    private BrokerException(Kind kind, String reason, String message, Throwable cause) {
        this(kind, reason, message, cause, null);
    }

    private BrokerException(Kind kind, String reason, String message, Throwable cause, Duration retryDelay) {
        super(message, cause, false, false);
        this.kind = Objects.requireNonNull(kind);
        this.reason = Objects.requireNonNull(reason);
        this.retryDelay = retryDelay;
    }

    public static BrokerException invalidInput(String reason, String message) {
        return new BrokerException(Kind.INVALID_INPUT, reason, message, null);
    }

    public static BrokerException notFound(String reason, String message) {
        return new BrokerException(Kind.NOT_FOUND, reason, message, null);
    }

    public static BrokerException conflict(String reason, String message) {
        return new BrokerException(Kind.CONFLICT, reason, message, null);
    }

    public static BrokerException inProgress(String reason, String message) {
        return new BrokerException(Kind.IN_PROGRESS, reason, message, null);
    }

    public static BrokerException failedPrecondition(String reason, String message) {
        return new BrokerException(Kind.FAILED_PRECONDITION, reason, message, null);
    }

    public static BrokerException permissionDenied(String reason, String message) {
        return new BrokerException(Kind.PERMISSION_DENIED, reason, message, null);
    }

    public static BrokerException unauthenticated(String reason, String message) {
        return new BrokerException(Kind.UNAUTHENTICATED, reason, message, null);
    }

    /** {@code cause} is kept for the server's own diagnostics; it is never sent to the caller. */
    public static BrokerException unavailable(String reason, String message, Throwable cause) {
        return new BrokerException(Kind.UNAVAILABLE, reason, message, cause);
    }

    public static BrokerException unimplemented(String rpc) {
        return new BrokerException(Kind.UNIMPLEMENTED, "UNIMPLEMENTED", rpc + " is not implemented by this server", null);
    }

    /** RESOURCE_EXHAUSTED, answered with a {@code google.rpc.RetryInfo} of {@code retryDelay}. */
    public static BrokerException resourceExhausted(String reason, String message, Duration retryDelay) {
        return new BrokerException(Kind.RESOURCE_EXHAUSTED, reason, message, null, retryDelay);
    }

    public static BrokerException deadlineExceeded(String reason, String message) {
        return new BrokerException(Kind.DEADLINE_EXCEEDED, reason, message, null);
    }

    /** When the caller may retry, or null. */
    public Duration retryDelay() {
        return retryDelay;
    }

    public Kind kind() {
        return kind;
    }

    /** A stable code such as {@code INVALID_PORTAL_ID}, for clients that branch on it. */
    public String reason() {
        return reason;
    }
}
