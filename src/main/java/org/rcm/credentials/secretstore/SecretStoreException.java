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
        /** The configured KMS key does not exist, is disabled or cannot be used. */
        KMS_KEY,
        /** The secret has as many versions as the store keeps, none old enough to be removed. */
        VERSION_LIMIT,
        /** The store rejected the request as malformed. */
        INVALID_REQUEST,
        /** The stored value is not a credentials document. */
        CORRUPT
    }

    private final Reason reason;
    private final String awsErrorCode;

    public SecretStoreException(Reason reason, String awsErrorCode) {
        super("secret store: " + reason + (awsErrorCode == null ? "" : " (" + awsErrorCode + ")"), null, false, false);
        this.reason = reason;
        this.awsErrorCode = awsErrorCode;
    }

    public Reason reason() {
        return reason;
    }

    /** AWS's error code, when AWS answered one. */
    public String awsErrorCode() {
        return awsErrorCode;
    }

    /** What a caller is told: the reason in words, never AWS's own message. */
    public String callerMessage() {
        return switch (reason) {
            case THROTTLED -> "the secret store is throttling requests; retry with backoff";
            case UNAVAILABLE -> "the secret store is unavailable; retry with backoff";
            case ACCESS_DENIED -> "the secret store refused the service's access";
            case KMS_KEY -> "the secret store cannot use the configured KMS key; an operator must check it";
            case VERSION_LIMIT -> "the secret store keeps no more versions of this secret for now";
            case CORRUPT -> "the stored credentials are unreadable";
            case NOT_FOUND -> "the secret is missing from the secret store";
            case ALREADY_EXISTS, INVALID_REQUEST -> "the secret store rejected the request";
        };
    }

    /** Throttled or unavailable: the kind of failure that stale cached values may ride out. */
    public boolean isTransient() {
        return reason == Reason.THROTTLED || reason == Reason.UNAVAILABLE;
    }
}
