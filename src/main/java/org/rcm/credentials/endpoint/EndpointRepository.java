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
     * on the state read before (version counter, rotation status, pending version), so that a
     * change never acts on a row that moved on. The claim shows as rotation status 'pending';
     * a pending version left by an unfinished rotation is kept for reconciliation.
     */
    public Uni<Integer> claim(long id, long expectedVersion, String expectedStatus, String expectedPending, Instant at,
            Instant staleBefore) {
        return update("rotationStatus = 'pending', rotationStartedAt = :at, updatedAt = :at"
                        + " where id = :id and secretVersion = :expected"
                        + " and rotationStatus is not distinct from :status and pendingVersionId is not distinct from :pending"
                        + " and (rotationStatus is null or rotationStatus <> 'pending'"
                        + " or rotationStartedAt is null or rotationStartedAt < :stale)",
                Parameters.with("at", at).and("id", id).and("expected", expectedVersion).and("status", expectedStatus)
                        .and("pending", expectedPending).and("stale", staleBefore));
    }

    /**
     * Gives back the claim of a change that wrote nothing, restoring the rotation status it
     * found ({@code previousStatus}: a lapsed claim it took over comes back as 'failed').
     */
    public Uni<Integer> releaseClaim(long id, Instant claimedAt, String previousStatus) {
        return update("rotationStatus = :previous, rotationStartedAt = null, updatedAt = :now"
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
        return update("pendingVersionId = :pending, rotationStatus = 'failed', rotationStartedAt = null, updatedAt = :now"
                        + " where id = :id and rotationStatus = 'pending' and rotationStartedAt = :claimed",
                Parameters.with("pending", versionId).and("now", Instant.now()).and("id", id).and("claimed", claimedAt));
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

    /**
     * Phase two of a rotation (with {@code claimedAt}, its claim's time) or a later
     * reconciliation (with null: no live change holds the row) made the pending version current.
     */
    public Uni<Integer> markPromoted(long id, Instant claimedAt, String pendingVersionId, Instant at) {
        return update("secretVersionId = pendingVersionId, secretVersion = secretVersion + 1,"
                        + " pendingVersionId = null, rotationStartedAt = null, lastRotatedAt = :at,"
                        + " rotationStatus = 'active', updatedAt = :at"
                        + " where id = :id and pendingVersionId = :pending"
                        + " and rotationStartedAt is not distinct from :claimed",
                Parameters.with("at", at).and("id", id).and("pending", pendingVersionId).and("claimed", claimedAt));
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

    /** A change's claim that lapsed before it recorded a pending version ends as failed. */
    public Uni<Integer> expireClaim(long id, Instant claimedAt) {
        return update("rotationStatus = 'failed', rotationStartedAt = null, updatedAt = :now"
                        + " where id = :id and rotationStatus = 'pending' and pendingVersionId is null"
                        + " and rotationStartedAt is not distinct from :claimed",
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
