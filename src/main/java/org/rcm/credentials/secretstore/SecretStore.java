package org.rcm.credentials.secretstore;

import io.smallrye.mutiny.Uni;

/**
 * Where portal secrets live: one implementation per AWS service, chosen by the ARN's
 * service through {@link SecretStores}.
 *
 * <p>Contract: every method is non-blocking and completes on the caller's Vert.x context
 * when it has one. Failures are {@link SecretStoreException}s whose messages are sanitised;
 * values too large for the backend are refused before any AWS call. Nothing returns null.
 */
public interface SecretStore {

    /** The backend this store serves. */
    SecretBackend backend();

    /**
     * Writes {@code value} as the secret's new current version, creating the secret if it does
     * not exist.
     *
     * @param requestToken idempotency token for the write where the backend supports one
     *     (Secrets Manager's {@code ClientRequestToken}, 32..64 characters); null lets the SDK
     *     choose one
     * @return the written version, with the secret's full ARN
     */
    Uni<SecretVersion> put(SecretArn arn, SecretValue value, String requestToken);

    /**
     * Reads one version of a secret by the store's version id: an SSM version number, or a
     * Secrets Manager {@code VersionId}. A null id reads the current version, as
     * {@link #getCurrent(SecretArn)}.
     *
     * <p>Fails NOT_FOUND when the secret or the version does not exist (Secrets Manager: or
     * the secret is scheduled for deletion); INVALID_REQUEST, before any AWS call, for an SSM
     * version id that is not a version number.
     */
    Uni<SecretValue> get(SecretArn arn, String versionId);

    /**
     * Reads the version that carries {@code stage} (see {@link SecretStage} for what each
     * backend keeps).
     *
     * <p>Fails NOT_FOUND when the secret does not exist or no version carries the stage
     * (Secrets Manager: or the secret is scheduled for deletion); INVALID_REQUEST, before any
     * AWS call, for a stage the backend does not keep.
     */
    Uni<SecretValue> get(SecretArn arn, SecretStage stage);

    /** Reads the current version: {@code get(arn, SecretStage.CURRENT)}. */
    default Uni<SecretValue> getCurrent(SecretArn arn) {
        return get(arn, SecretStage.CURRENT);
    }

    /**
     * First step of a rotation: writes {@code value} as a pending version that readers of the
     * current version do not see (Secrets Manager {@code AWSPENDING}; SSM a new version
     * labelled {@code pending}). The secret must exist.
     */
    Uni<SecretVersion> writePending(SecretArn arn, SecretValue value, String requestToken);

    /** Second step of a rotation: makes a pending version current. */
    Uni<Void> promote(SecretArn arn, String pendingVersionId);

    /** The id of the version the store itself considers current. */
    Uni<String> currentVersionId(SecretArn arn);

    /**
     * The id of the version written last, by the broker or by anyone else: Secrets Manager's
     * {@code AWSCURRENT} (which {@code PutSecretValue} moves), SSM's latest version (which
     * {@code PutParameter} makes without moving the broker's label). A password changed in the
     * store directly shows as a version the broker has not recorded.
     */
    Uni<String> newestVersionId(SecretArn arn);

    /**
     * Deletes the secret: SSM at once; Secrets Manager after the configured recovery window,
     * or at once without recovery when the window is 0.
     *
     * @return true when this call deleted the secret or scheduled its deletion; false when
     *     there was nothing to delete: the secret does not exist, or (Secrets Manager) its
     *     deletion is already scheduled. Secrets Manager does not report a missing secret to a
     *     delete without recovery (window 0), so there a missing secret is true as well. Every
     *     other outcome is a failure ({@link SecretStoreException}): a store that refuses to
     *     delete a secret that exists (access denied, invalid request, throttled, unavailable)
     *     never yields false.
     */
    Uni<Boolean> delete(SecretArn arn);
}
