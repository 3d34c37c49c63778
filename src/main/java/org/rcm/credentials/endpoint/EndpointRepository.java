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

    /** A store made {@code versionId} current; conditional on the version counter read before. */
    public Uni<Integer> markStored(long id, long expectedVersion, String arn, String versionId, Instant at) {
        return update("secretArn = :arn, secretVersionId = :versionId, secretVersion = secretVersion + 1,"
                        + " pendingVersionId = null, rotationStartedAt = null, lastRotatedAt = :at,"
                        + " rotationStatus = 'active', updatedAt = :at"
                        + " where id = :id and secretVersion = :expected",
                Parameters.with("arn", arn).and("versionId", versionId).and("at", at)
                        .and("id", id).and("expected", expectedVersion));
    }

    /** Claims the row for a rotation, unless another rotation holds a claim younger than {@code staleBefore}. */
    public Uni<Integer> claimRotation(long id, long expectedVersion, Instant at, Instant staleBefore) {
        return update("rotationStatus = 'pending', rotationStartedAt = :at, pendingVersionId = null, updatedAt = :at"
                        + " where id = :id and secretVersion = :expected and secretArn is not null"
                        + " and (rotationStatus is null or rotationStatus <> 'pending' or rotationStartedAt < :stale)",
                Parameters.with("at", at).and("id", id).and("expected", expectedVersion).and("stale", staleBefore));
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

    /** The secret was deleted; the reference and rotation state go with it. */
    public Uni<Integer> markDeleted(long id, long expectedVersion) {
        return update("secretArn = null, secretVersionId = null, pendingVersionId = null, rotationStartedAt = null,"
                        + " rotationStatus = null, updatedAt = :now where id = :id and secretVersion = :expected",
                Parameters.with("now", Instant.now()).and("id", id).and("expected", expectedVersion));
    }
}
