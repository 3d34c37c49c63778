package org.rcm.credentials.endpoint;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.rcm.credentials.secretstore.SecretArn;
import org.rcm.credentials.secretstore.SecretValue;

/**
 * What a request needs to know about a portal, read once and cached: an immutable copy of
 * the {@link IntegrationEndpoint} row.
 *
 * @param secret the validated secret reference, or null when none is stored or when the
 *     stored ARN is not within this portal's prefix ({@code referenceInvalid})
 * @param legacyCredentials the credentials still held in {@code config.credentials}, if any
 * @param legacyState where those credentials stand in the migration
 * @param rotationExpiresAt until when a worker-driven rotation's claim holds (null: the lease)
 * @param loginFailures consecutive failed logins reported for the current version
 * @param paused failed logins paused the credential: it is handed out to nobody
 */
public record Endpoint(long id, String tenantId, String portalId, SecretArn secret, boolean referenceInvalid,
        long secretVersion, String secretVersionId, String pendingVersionId, Instant rotationStartedAt,
        Instant lastRotatedAt, RotationState rotationStatus, Optional<SecretValue> legacyCredentials,
        LegacyState legacyState, Instant rotationExpiresAt, int loginFailures, boolean paused) {

    /** A secret is stored and its reference is valid. */
    public boolean hasSecret() {
        return secret != null && secretVersionId != null;
    }

    /** No secret reference at all, valid or not: legacy credentials, if any, are the only copy. */
    public boolean legacyOnly() {
        return secret == null && !referenceInvalid;
    }

    /**
     * The dual read may serve the legacy copy when the secret store fails transiently: the
     * secret was migrated from it and verified, and it has not been purged or superseded since.
     */
    public boolean legacyFallbackAllowed() {
        return legacyState == LegacyState.MIGRATED_VERIFIED && legacyCredentials.isPresent();
    }

    /**
     * The endpoint after a store or a rotation made {@code versionId} of {@code arn} current at
     * {@code at}: what the row holds after that update, without reading it again (a failed
     * read must not turn a change that happened into a reported failure). The update removed
     * any legacy credentials.
     */
    public Endpoint withCurrent(SecretArn arn, String versionId, Instant at) {
        return new Endpoint(id, tenantId, portalId, arn, false, secretVersion + 1, versionId, null, null, at,
                RotationState.ACTIVE, Optional.empty(),
                legacyState == LegacyState.MIGRATED_VERIFIED ? LegacyState.NONE : legacyState, null, 0, false);
    }

    /**
     * The current version's name in the secret caches. Not the store's version id alone: SSM
     * numbers versions from 1 again after a delete, so a version id can come back with another
     * value; the version counter only grows.
     */
    public String cacheVersion() {
        return secretVersion + ":" + secretVersionId;
    }

    /**
     * A change (store, rotate or delete) holds this portal and its lease has not run out; a
     * worker-driven rotation holds it until it expires.
     */
    public boolean rotationInProgress(Instant now, Duration lease) {
        return rotationStatus == RotationState.PENDING && rotationStartedAt != null
                && (rotationExpiresAt != null ? rotationExpiresAt.isAfter(now) : rotationStartedAt.isAfter(now.minus(lease)));
    }

    /**
     * A rotation was left unfinished: it failed after writing a pending version (which the
     * store may or may not have made current), or its lease ran out.
     */
    public boolean rotationUnresolved(Instant now, Duration lease) {
        return (rotationStatus == RotationState.FAILED && pendingVersionId != null)
                || (rotationStatus == RotationState.PENDING && !rotationInProgress(now, lease));
    }
}
