package org.rcm.credentials.endpoint;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * Integration endpoints, always addressed within one tenant. State changes are conditional
 * updates (compare-and-set on the row's state), so that concurrent writers cannot lose each
 * other's work: each returns the number of rows changed, 0 when the row moved on meanwhile.
 */
@ApplicationScoped
public class EndpointRepository implements PanacheRepository<IntegrationEndpoint> {

    /** The tenant's portal, or null. Another tenant's portal is never returned. */
    public Uni<IntegrationEndpoint> findByPortal(String tenantId, String portalId) {
        return find("tenantId = ?1 and portalId = ?2", tenantId, portalId).firstResult();
    }

    /**
     * Claims the row for a change (store, rotate or delete) before any write to the secret
     * store, unless another change holds a claim younger than {@code staleBefore}; conditional
     * on the state read before (version counter, rotation status, pending version), so that a
     * change never acts on a row that moved on. The claim shows as rotation status 'pending';
     * a pending version left by an unfinished rotation is kept for reconciliation.
     */
    public Uni<Integer> claim(long id, long expectedVersion, String expectedStatus, String expectedPending, Instant at,
            Instant staleBefore, Instant expiresAt) {
        return update("rotationStatus = 'pending', rotationStartedAt = :at, rotationExpiresAt = :expires, updatedAt = :at"
                        + " where id = :id and secretVersion = :expected"
                        + " and rotationStatus is not distinct from :status and pendingVersionId is not distinct from :pending"
                        + " and (rotationStatus is null or rotationStatus <> 'pending' or rotationStartedAt is null"
                        + " or (rotationExpiresAt is null and rotationStartedAt < :stale) or rotationExpiresAt < :at)",
                Parameters.with("at", at).and("id", id).and("expected", expectedVersion).and("status", expectedStatus)
                        .and("pending", expectedPending).and("stale", staleBefore).and("expires", expiresAt));
    }

    /**
     * Gives back the claim of a change that wrote nothing, restoring the rotation status it
     * found ({@code previousStatus}: a lapsed claim it took over comes back as 'failed').
     */
    public Uni<Integer> releaseClaim(long id, Instant claimedAt, String previousStatus) {
        return update("rotationStatus = :previous, rotationStartedAt = null, rotationExpiresAt = null, updatedAt = :now"
                        + " where id = :id and rotationStatus = 'pending' and rotationStartedAt = :claimed",
                Parameters.with("previous", previousStatus).and("now", Instant.now())
                        .and("id", id).and("claimed", claimedAt));
    }

    /**
     * The store claimed at {@code claimedAt} wrote {@code versionId} to the secret store but
     * could not record it as current: it is kept as a pending version of a failed change, which
     * the next Get or Rotate reconciles with what the store says is current.
     */
    public Uni<Integer> markUnconfirmed(long id, Instant claimedAt, String versionId) {
        return update("pendingVersionId = :pending, rotationStatus = 'failed', rotationStartedAt = null, rotationExpiresAt = null, updatedAt = :now"
                        + " where id = :id and rotationStatus = 'pending' and rotationStartedAt = :claimed",
                Parameters.with("pending", versionId).and("now", Instant.now()).and("id", id).and("claimed", claimedAt));
    }

    /**
     * The store claimed at {@code claimedAt} made {@code versionId} of {@code arn} current; the
     * legacy {@code config.credentials} it supersedes go in the same transaction.
     */
    public Uni<Integer> markStored(long id, Instant claimedAt, String arn, String versionId, Instant at) {
        return withScheduleResult(id, "success", at, withoutLegacyCredentials(id, update("secretArn = :arn, secretVersionId = :versionId, secretVersion = secretVersion + 1,"
                        + " pendingVersionId = null, rotationStartedAt = null, rotationExpiresAt = null, lastRotatedAt = :at,"
                        + " rotationStatus = 'active', loginFailures = 0, pausedAt = null, updatedAt = :at"
                        + " where id = :id and rotationStatus = 'pending' and rotationStartedAt = :claimed",
                Parameters.with("arn", arn).and("versionId", versionId).and("at", at)
                        .and("id", id).and("claimed", claimedAt))));
    }

    /**
     * The migration claimed at {@code claimedAt} wrote the legacy credentials to {@code arn} as
     * {@code versionId} and read them back equal: the secret is current, and the plaintext copy
     * stays in {@code config} until it is purged.
     */
    public Uni<Integer> markMigrated(long id, Instant claimedAt, String arn, String versionId, Instant at) {
        return update("secretArn = :arn, secretVersionId = :versionId, secretVersion = secretVersion + 1,"
                        + " pendingVersionId = null, rotationStartedAt = null, rotationExpiresAt = null, lastRotatedAt = :at,"
                        + " rotationStatus = 'active', legacyMigration = 'migrated_verified', updatedAt = :at"
                        + " where id = :id and rotationStatus = 'pending' and rotationStartedAt = :claimed"
                        + " and secretArn is null",
                Parameters.with("arn", arn).and("versionId", versionId).and("at", at)
                        .and("id", id).and("claimed", claimedAt));
    }

    /**
     * Removes the plaintext {@code config.credentials} of a migrated portal whose secret is still
     * version {@code expectedVersion} (read back equal just before); other keys of
     * {@code config} stay.
     */
    public Uni<Integer> purgeLegacyCredentials(long id, long expectedVersion) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                        UPDATE integration_endpoint
                           SET config = config - 'credentials', legacy_migration = 'purged', updated_at = now()
                         WHERE id = ?1 AND secret_version = ?2 AND legacy_migration = 'migrated_verified'
                           AND config -> 'credentials' IS NOT NULL""")
                .setParameter(1, id)
                .setParameter(2, expectedVersion)
                .executeUpdate());
    }

    /**
     * Deletes the plaintext {@code config.credentials} of a portal that has no secret (a Delete
     * of credentials that were never migrated); other keys of {@code config} stay.
     */
    public Uni<Integer> deleteLegacyCredentials(long id) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                        UPDATE integration_endpoint
                           SET config = config - 'credentials', legacy_migration = NULL, updated_at = now()
                         WHERE id = ?1 AND secret_arn IS NULL AND config -> 'credentials' IS NOT NULL""")
                .setParameter(1, id)
                .executeUpdate());
    }

    /** Phase one of a rotation wrote {@code pendingVersionId}. */
    public Uni<Integer> markPending(long id, Instant claimedAt, String pendingVersionId) {
        return update("pendingVersionId = :pending, updatedAt = :now"
                        + " where id = :id and rotationStatus = 'pending' and rotationStartedAt = :claimed",
                Parameters.with("pending", pendingVersionId).and("now", Instant.now())
                        .and("id", id).and("claimed", claimedAt));
    }

    /**
     * Phase two of a rotation (with {@code claimedAt}, its claim's time) or a later
     * reconciliation (with null: no live change holds the row) made the pending version current.
     */
    public Uni<Integer> markPromoted(long id, Instant claimedAt, String pendingVersionId, Instant at) {
        return withScheduleResult(id, "success", at, withoutLegacyCredentials(id, update("secretVersionId = pendingVersionId, secretVersion = secretVersion + 1,"
                        + " pendingVersionId = null, rotationStartedAt = null, rotationExpiresAt = null, lastRotatedAt = :at,"
                        + " rotationStatus = 'active', loginFailures = 0, pausedAt = null, updatedAt = :at"
                        + " where id = :id and pendingVersionId = :pending"
                        + " and rotationStartedAt is not distinct from :claimed",
                Parameters.with("at", at).and("id", id).and("pending", pendingVersionId).and("claimed", claimedAt))));
    }

    /** The rotation claimed at {@code claimedAt} failed; a pending version, if any, is kept for reconciliation. */
    public Uni<Integer> markRotationFailed(long id, Instant claimedAt) {
        return withScheduleResult(id, "failed", Instant.now(), update("rotationStatus = 'failed', updatedAt = :now"
                        + " where id = :id and rotationStatus = 'pending' and rotationStartedAt = :claimed",
                Parameters.with("now", Instant.now()).and("id", id).and("claimed", claimedAt)));
    }

    /** A pending version that the store never made current is forgotten; the rotation stays failed. */
    public Uni<Integer> abandonPending(long id, String pendingVersionId) {
        return withScheduleResult(id, "failed", Instant.now(), update("pendingVersionId = null, rotationStartedAt = null, rotationExpiresAt = null, rotationStatus = 'failed', updatedAt = :now"
                        + " where id = :id and pendingVersionId = :pending",
                Parameters.with("now", Instant.now()).and("id", id).and("pending", pendingVersionId)));
    }

    /** A change's claim that lapsed before it recorded a pending version ends as failed. */
    public Uni<Integer> expireClaim(long id, Instant claimedAt) {
        return update("rotationStatus = 'failed', rotationStartedAt = null, rotationExpiresAt = null, updatedAt = :now"
                        + " where id = :id and rotationStatus = 'pending' and pendingVersionId is null"
                        + " and rotationStartedAt is not distinct from :claimed",
                Parameters.with("now", Instant.now()).and("id", id).and("claimed", claimedAt));
    }

    /**
     * The delete claimed at {@code claimedAt} removed the secret; the reference, the rotation
     * state and any legacy {@code config.credentials} go with it.
     */
    public Uni<Integer> markDeleted(long id, Instant claimedAt) {
        return withoutLegacyCredentials(id, update("secretArn = null, secretVersionId = null, pendingVersionId = null, rotationStartedAt = null, rotationExpiresAt = null,"
                        + " rotationStatus = null, secretVersion = secretVersion + 1, updatedAt = :now"
                        + " where id = :id and rotationStatus = 'pending' and rotationStartedAt = :claimed",
                Parameters.with("now", Instant.now()).and("id", id).and("claimed", claimedAt)));
    }

    /**
     * After {@code change} updated the row (1), removes the plaintext {@code config.credentials}
     * it supersedes, in the same transaction: a Store, Rotate or Delete leaves no plaintext copy
     * for the dual read to serve. Other keys of {@code config} stay; a migrated portal's state
     * goes back to none (a purged one stays purged).
     */
    /**
     * After {@code change} updated the row (1), records a rotation attempt's result on the
     * portal's schedule, if it has one, in the same transaction: a success moves
     * {@code next_rotation_at} on by the interval from {@code at} and re-arms the reminders.
     */
    private Uni<Integer> withScheduleResult(long id, String result, Instant at, Uni<Integer> change) {
        return change.call(changed -> changed != 1 ? Uni.createFrom().voidItem()
                : Panache.getSession().chain(session -> session.createNativeQuery("""
                                UPDATE credential_rotation_schedule
                                   SET last_result = ?2, last_result_at = ?3, updated_at = ?3,
                                       next_rotation_at = CASE WHEN ?2 = 'success'
                                           THEN CAST(?3 AS timestamptz) + make_interval(days => rotation_interval_days)
                                           ELSE next_rotation_at END,
                                       reminded_at = CASE WHEN ?2 = 'success' THEN NULL ELSE reminded_at END,
                                       escalated_at = CASE WHEN ?2 = 'success' THEN NULL ELSE escalated_at END
                                 WHERE endpoint_id = ?1""")
                        .setParameter(1, id)
                        .setParameter(2, result)
                        .setParameter(3, at)
                        .executeUpdate()));
    }

    private Uni<Integer> withoutLegacyCredentials(long id, Uni<Integer> change) {
        return change.call(changed -> changed != 1 ? Uni.createFrom().voidItem()
                : Panache.getSession().chain(session -> session.createNativeQuery("""
                                UPDATE integration_endpoint
                                   SET config = config - 'credentials',
                                       legacy_migration = NULLIF(legacy_migration, 'migrated_verified')
                                 WHERE id = ?1 AND config -> 'credentials' IS NOT NULL""")
                        .setParameter(1, id)
                        .executeUpdate()));
    }
}
