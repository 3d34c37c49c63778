package org.rcm.credentials.secretstore;

/**
 * An AWS secret store failure, classified. The message names the reason only; AWS's own
 * messages, which can contain names and ARNs, are never kept.
 */
public final class SecretStoreException extends RuntimeException {

    /** What the store said, in terms the domain can act on. */
    public enum Reason {
        /** The secret or version does not exist (or is scheduled for deletion). */
        NOT_FOUND,
        /** The secret exists, or the idempotency token was used with other data. */
        ALREADY_EXISTS,
        /** The store is throttling this account; retries were used up. */
        THROTTLED,
        /** 5xx, connection failure or timeout; retries were used up. */
        UNAVAILABLE,
        /** The service's AWS identity may not do this (IAM or KMS). */
        ACCESS_DENIED,
        /** The store rejected the request as malformed. */
        INVALID_REQUEST,
        /** The stored value is not a credentials document. */
        CORRUPT
    }

    private final Reason reason;

    public SecretStoreException(Reason reason, String awsErrorCode) {
        super("secret store: " + reason + (awsErrorCode == null ? "" : " (" + awsErrorCode + ")"), null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** Throttled or unavailable: the kind of failure that stale cached values may ride out. */
    public boolean isTransient() {
        return reason == Reason.THROTTLED || reason == Reason.UNAVAILABLE;
    }
}
