package org.rcm.credentials.endpoint;

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
     * on the version counter read before. The claim shows as rotation status 'pending'.
     */
    public Uni<Integer> claim(long id, long expectedVersion, Instant at, Instant staleBefore) {
        return update("rotationStatus = 'pending', rotationStartedAt = :at, pendingVersionId = null, updatedAt = :at"
                        + " where id = :id and secretVersion = :expected"
                        + " and (rotationStatus is null or rotationStatus <> 'pending' or rotationStartedAt < :stale)",
                Parameters.with("at", at).and("id", id).and("expected", expectedVersion).and("stale", staleBefore));
    }

    /** Gives back the claim of a change that changed nothing, restoring the rotation status it found. */
    public Uni<Integer> releaseClaim(long id, Instant claimedAt, String previousStatus) {
        return update("rotationStatus = :previous, rotationStartedAt = null, updatedAt = :now"
                        + " where id = :id and rotationStatus = 'pending' and rotationStartedAt = :claimed",
                Parameters.with("previous", previousStatus).and("now", Instant.now())
                        .and("id", id).and("claimed", claimedAt));
    }

    /** The store claimed at {@code claimedAt} made {@code versionId} of {@code arn} current. */
    public Uni<Integer> markStored(long id, Instant claimedAt, String arn, String versionId, Instant at) {
        return update("secretArn = :arn, secretVersionId = :versionId, secretVersion = secretVersion + 1,"
                        + " pendingVersionId = null, rotationStartedAt = null, lastRotatedAt = :at,"
                        + " rotationStatus = 'active', updatedAt = :at"
                        + " where id = :id and rotationStatus = 'pending' and rotationStartedAt = :claimed",
                Parameters.with("arn", arn).and("versionId", versionId).and("at", at)
                        .and("id", id).and("claimed", claimedAt));
    }

    /** Phase one of a rotation wrote {@code pendingVersionId}. */
    public Uni<Integer> markPending(long id, Instant claimedAt, String pendingVersionId) {
        return update("pendingVersionId = :pending, updatedAt = :now"
                        + " where id = :id and rotationStatus = 'pending' and rotationStartedAt = :claimed",
                Parameters.with("pending", pendingVersionId).and("now", Instant.now())
                        .and("id", id).and("claimed", claimedAt));
    }

    /** Phase two of a rotation (or a later reconciliation) made the pending version current. */
    public Uni<Integer> markPromoted(long id, String pendingVersionId, Instant at) {
        return update("secretVersionId = pendingVersionId, secretVersion = secretVersion + 1,"
                        + " pendingVersionId = null, rotationStartedAt = null, lastRotatedAt = :at,"
                        + " rotationStatus = 'active', updatedAt = :at"
                        + " where id = :id and pendingVersionId = :pending",
                Parameters.with("at", at).and("id", id).and("pending", pendingVersionId));
    }

    /** The rotation claimed at {@code claimedAt} failed; a pending version, if any, is kept for reconciliation. */
    public Uni<Integer> markRotationFailed(long id, Instant claimedAt) {
        return update("rotationStatus = 'failed', updatedAt = :now"
                        + " where id = :id and rotationStatus = 'pending' and rotationStartedAt = :claimed",
                Parameters.with("now", Instant.now()).and("id", id).and("claimed", claimedAt));
    }

    /** A pending version that the store never made current is forgotten; the rotation stays failed. */
    public Uni<Integer> abandonPending(long id, String pendingVersionId) {
        return update("pendingVersionId = null, rotationStartedAt = null, rotationStatus = 'failed', updatedAt = :now"
                        + " where id = :id and pendingVersionId = :pending",
                Parameters.with("now", Instant.now()).and("id", id).and("pending", pendingVersionId));
    }

    /** A rotation claim that expired before writing anything ends as failed. */
    public Uni<Integer> expireClaim(long id, Instant claimedAt) {
        return update("rotationStatus = 'failed', rotationStartedAt = null, updatedAt = :now"
                        + " where id = :id and rotationStatus = 'pending' and pendingVersionId is null"
                        + " and rotationStartedAt = :claimed",
                Parameters.with("now", Instant.now()).and("id", id).and("claimed", claimedAt));
    }

    /** The delete claimed at {@code claimedAt} removed the secret; the reference and rotation state go with it. */
    public Uni<Integer> markDeleted(long id, Instant claimedAt) {
        return update("secretArn = null, secretVersionId = null, pendingVersionId = null, rotationStartedAt = null,"
                        + " rotationStatus = null, secretVersion = secretVersion + 1, updatedAt = :now"
                        + " where id = :id and rotationStatus = 'pending' and rotationStartedAt = :claimed",
                Parameters.with("now", Instant.now()).and("id", id).and("claimed", claimedAt));
    }
}
