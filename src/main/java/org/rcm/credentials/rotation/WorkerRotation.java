package org.rcm.credentials.rotation;

import static org.rcm.credentials.credential.CredentialErrors.invalidReference;
import static org.rcm.credentials.credential.CredentialErrors.noCredentials;
import static org.rcm.credentials.credential.CredentialErrors.writeFailure;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.rcm.credentials.cache.SecretCache;
import org.rcm.credentials.config.BrokerClock;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.credential.CredentialReader;
import org.rcm.credentials.credential.CredentialRules;
import org.rcm.credentials.credential.UnfinishedChanges;
import org.rcm.credentials.endpoint.Endpoint;
import org.rcm.credentials.endpoint.Endpoints;
import org.rcm.credentials.endpoint.RotationState;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.metrics.BrokerMetrics;
import org.rcm.credentials.rotation.WorkerRotationRecords.Rotation;
import org.rcm.credentials.secretstore.SecretArn;
import org.rcm.credentials.secretstore.SecretNames;
import org.rcm.credentials.secretstore.SecretStore;
import org.rcm.credentials.secretstore.SecretStoreException;
import org.rcm.credentials.secretstore.SecretStores;
import org.rcm.credentials.secretstore.SecretValue;
import org.rcm.credentials.tenant.Caller;
import org.rcm.credentials.tenant.Role;

/**
 * BeginRotation and CompleteRotation: a rotation driven by the worker that changes the
 * password on the payer portal's own website. Begin writes the new value as a pending version
 * under the portal's claim, held until the rotation expires; Complete promotes it (success) or
 * drops it (failure); the {@link RotationJob} expires what nobody completes.
 */
@ApplicationScoped
public class WorkerRotation {

    /** What BeginRotation answers. */
    public record Begun(UUID rotationId, SecretValue pending, long pendingVersion, Instant expiresAt) {
    }

    /** What CompleteRotation answers; {@code rotatedAt} null after a failure. */
    public record Completed(RotationState status, long version, Instant rotatedAt) {
    }

    private static final Logger LOG = Logger.getLogger(WorkerRotation.class);

    private final Endpoints endpoints;
    private final SecretStores stores;
    private final SecretCache cache;
    private final CredentialReader reader;
    private final UnfinishedChanges unfinished;
    private final WorkerRotationRecords records;
    private final Schedules schedules;
    private final PasswordGenerator passwords;
    private final BrokerMetrics metrics;
    private final BrokerClock clock;
    private final Duration lease;
    private final Duration expiry;
    private final boolean notify;

    public WorkerRotation(Endpoints endpoints, SecretStores stores, SecretCache cache, CredentialReader reader,
            UnfinishedChanges unfinished, WorkerRotationRecords records, Schedules schedules, PasswordGenerator passwords,
            BrokerMetrics metrics, BrokerClock clock, BrokerConfig config) {
        this.endpoints = endpoints;
        this.stores = stores;
        this.cache = cache;
        this.reader = reader;
        this.unfinished = unfinished;
        this.records = records;
        this.schedules = schedules;
        this.passwords = passwords;
        this.metrics = metrics;
        this.clock = clock;
        this.lease = config.rotation().lease();
        this.expiry = config.rotation().workerExpiry();
        this.notify = config.notifications().smtpHost().isPresent();
    }

    /** BeginRotation. */
    public Uni<Begun> begin(Caller caller, RotationRequest request) {
        String portal = SecretNames.requireId("portal_id", request.portalId());
        SecretValue changes = CredentialRules.requireWellFormed(request.newCredentials(), "new_credentials");
        String key = CredentialRules.idempotencyKey(request.idempotencyKey());
        return endpoints.load(caller.tenant(), portal, noCredentials(portal).getMessage())
                .chain(unfinished::resolve)
                .chain(endpoint -> key.isEmpty() ? begin(caller, endpoint, changes, request.policy(), key)
                        : records.findByKey(endpoint.id(), key).chain(earlier -> earlier == null
                                ? begin(caller, endpoint, changes, request.policy(), key)
                                : again(caller, endpoint, earlier)))
                .map(begun -> caller.role() == Role.ADMIN ? begun : new Begun(begun.rotationId(),
                        withoutMfaSeed(begun.pending()), begun.pendingVersion(), begun.expiresAt()));
    }

    private Uni<Begun> begin(Caller caller, Endpoint endpoint, SecretValue changes, PasswordGenerator.Policy policy,
            String key) {
        if (!endpoint.hasSecret()) {
            return Uni.createFrom().failure(endpoint.referenceInvalid() ? invalidReference(endpoint) : noCredentials(endpoint));
        }
        SecretArn arn = endpoint.secret();
        caller.audit().secretArn(arn.value());
        if (endpoint.rotationInProgress(Instant.now(), lease)) {
            return Uni.createFrom().failure(Endpoints.changeInProgress(endpoint.portalId()));
        }
        UUID id = UUID.randomUUID();
        Instant expiresAt = clock.now().plus(expiry);
        return mayBegin(caller, endpoint)
                .chain(() -> reader.current(endpoint))
                .map(current -> CredentialRotation.merge(current, changes, policy, passwords))
                .invoke(value -> stores.requireFits(value, arn.backend()))
                .chain(value -> endpoints.claim(endpoint, lease, expiresAt)
                        .chain(claim -> records.insert(id, endpoint.id(), caller.tenant(), caller.principal(),
                                        caller.role().id(), claim, endpoint.secretVersion() + 1, key, expiresAt)
                                .onFailure().call(() -> endpoints.releaseClaim(endpoint, claim))
                                .chain(() -> writePending(endpoint, claim, id, value)))
                        .map(ignored -> new Begun(id, value, endpoint.secretVersion() + 1, expiresAt)));
    }

    /** Workers begin only a due rotation; admins any. */
    private Uni<Void> mayBegin(Caller caller, Endpoint endpoint) {
        if (caller.role() == Role.ADMIN) {
            return Uni.createFrom().voidItem();
        }
        return schedules.isDue(endpoint.id()).invoke(due -> {
            if (!due) {
                throw BrokerException.failedPrecondition("ROTATION_NOT_DUE",
                        "the rotation of portal " + endpoint.portalId() + " is not due; an admin can make it due");
            }
        }).replaceWithVoid();
    }

    private Uni<Void> writePending(Endpoint endpoint, Instant claim, UUID id, SecretValue value) {
        SecretArn arn = endpoint.secret();
        return stores.of(arn).writePending(arn, value, id.toString())
                .onFailure().call(() -> endpoints.markRotationFailed(endpoint, claim).onFailure().recoverWithNull()
                        .chain(() -> records.discard(id)).onFailure().recoverWithNull())
                .onFailure(SecretStoreException.class).transform(failure -> writeFailure((SecretStoreException) failure))
                .chain(pending -> endpoints.markPending(endpoint, claim, pending.versionId())
                        .chain(() -> records.wrote(id, pending.versionId())));
    }

    /** A retried BeginRotation with the same idempotency key: the same rotation while it is pending. */
    private Uni<Begun> again(Caller caller, Endpoint endpoint, Rotation earlier) {
        if (!earlier.state().equals("pending") || earlier.pendingVersionId() == null
                || !earlier.startedBy().equals(caller.principal())) {
            return Uni.createFrom().failure(BrokerException.failedPrecondition("ROTATION_ALREADY_COMPLETED",
                    "the rotation begun with this idempotency_key has ended; begin another with a new key"));
        }
        caller.audit().secretArn(endpoint.secret().value());
        return stores.of(endpoint.secret()).get(endpoint.secret(), earlier.pendingVersionId())
                .onFailure(SecretStoreException.class).transform(failure -> writeFailure((SecretStoreException) failure))
                .map(value -> new Begun(earlier.id(), value, earlier.pendingVersion(), earlier.expiresAt()));
    }

    /** CompleteRotation. */
    public Uni<Completed> complete(Caller caller, String portalId, String rotationId, boolean succeeded, String reason) {
        String portal = SecretNames.requireId("portal_id", portalId);
        UUID id = rotationId(rotationId);
        String why = CredentialRules.text("failure_reason", reason, 256);
        return records.find(caller.tenant(), id).chain(rotation -> {
            if (rotation == null || !rotation.portalId().equals(portal) || !rotation.startedBy().equals(caller.principal())) {
                throw BrokerException.notFound("ROTATION_NOT_FOUND", "no rotation " + id + " of portal " + portal
                        + " begun by this caller");
            }
            return switch (rotation.state()) {
                case "succeeded", "failed" -> Uni.createFrom().item(ended(rotation, succeeded));
                case "pending" -> rotation.expiresAt().isBefore(clock.now()) || rotation.pendingVersionId() == null
                        ? Uni.createFrom().failure(expired(portal))
                        : endpoints.load(caller.tenant(), portal, noCredentials(portal).getMessage())
                                .chain(endpoint -> {
                                    if (!rotation.pendingVersionId().equals(endpoint.pendingVersionId())) {
                                        throw expired(portal);
                                    }
                                    caller.audit().secretArn(endpoint.secret().value());
                                    if (!succeeded) {
                                        caller.audit().failed("rotation failed: the worker could not set the new password");
                                    }
                                    return succeeded ? promote(endpoint, rotation) : fail(endpoint, rotation, why);
                                });
                default -> Uni.createFrom().failure(expired(portal));
            };
        });
    }

    /** The answer of a rotation that has ended: the same outcome again, or FAILED_PRECONDITION. */
    private static Completed ended(Rotation rotation, boolean succeeded) {
        boolean wasSuccess = rotation.state().equals("succeeded");
        if (wasSuccess != succeeded) {
            throw BrokerException.failedPrecondition("ROTATION_ALREADY_COMPLETED", "the rotation was completed as "
                    + (wasSuccess ? "succeeded" : "failed") + " already");
        }
        return new Completed(wasSuccess ? RotationState.ACTIVE : RotationState.FAILED, rotation.resultVersion(),
                rotation.resultAt());
    }

    private Uni<Completed> promote(Endpoint endpoint, Rotation rotation) {
        SecretArn arn = endpoint.secret();
        SecretStore store = stores.of(arn);
        String pending = rotation.pendingVersionId();
        return store.promote(arn, pending)
                .onFailure().recoverWithUni(failure -> store.currentVersionId(arn).map(current -> {
                    if (!pending.equals(current)) {
                        throw failure instanceof SecretStoreException e ? writeFailure(e)
                                : BrokerException.unavailable("SECRET_STORE_UNAVAILABLE", "retry", failure);
                    }
                    return null; // applied, though its answer was lost
                }))
                .chain(() -> endpoints.markPromoted(endpoint, rotation.claimedAt(), pending))
                .call(() -> cache.invalidate(arn, endpoint.cacheVersion()))
                .call(after -> records.succeeded(rotation.id(), after.secretVersion(), after.lastRotatedAt()))
                .invoke(() -> metrics.rotation("success"))
                .map(after -> new Completed(RotationState.ACTIVE, after.secretVersion(), after.lastRotatedAt()));
    }

    /**
     * Drops the pending version (the previous one stays current; the schedule records the
     * failure) and ends the rotation as failed, queuing its notification.
     */
    private Uni<Completed> fail(Endpoint endpoint, Rotation rotation, String reason) {
        return endpoints.abandonPending(endpoint, rotation.pendingVersionId()).onFailure().recoverWithNull()
                .chain(() -> ended(rotation, endpoint, "failed", reason.isEmpty() ? null : reason))
                .map(ignored -> new Completed(RotationState.FAILED, endpoint.secretVersion(), null));
    }

    /**
     * For the rotation job: ends a rotation nobody completed in time, after settling it with the
     * store like any unfinished change. The store made its version current (a Complete whose
     * record was lost): a success. It cannot tell yet: left for the next run. Otherwise the
     * pending version is dropped and the rotation expires, notified.
     */
    public Uni<Void> expire(Rotation rotation) {
        String pending = rotation.pendingVersionId();
        return endpoints.load(rotation.tenantId(), rotation.portalId(), noCredentials(rotation.portalId()).getMessage())
                .chain(endpoint -> pending == null || !pending.equals(endpoint.pendingVersionId())
                        ? ended(rotation, endpoint, "expired", null)
                        : unfinished.settle(endpoint).chain(after -> pending.equals(after.secretVersionId())
                                ? records.succeeded(rotation.id(), after.secretVersion(), after.lastRotatedAt()).replaceWithVoid()
                                : pending.equals(after.pendingVersionId()) ? Uni.createFrom().voidItem()
                                : ended(rotation, after, "expired", null)));
    }

    /** Ends the rotation as {@code state} (failed or expired), queuing its notification; counted and logged once. */
    private Uni<Void> ended(Rotation rotation, Endpoint endpoint, String state, String reason) {
        return records.failed(rotation.id(), state, reason, endpoint.secretVersion(), clock.now(), notify)
                .invoke(ended -> {
                    if (ended) {
                        metrics.rotation("failed");
                        LOG.warnf("Worker rotation of endpoint %d %s; the previous version stays current", endpoint.id(), state);
                    }
                })
                .replaceWithVoid();
    }

    /** Workers never get the MFA seed (they use GenerateTotp). */
    private static SecretValue withoutMfaSeed(SecretValue value) {
        return new SecretValue(value.username(), value.password(), "", value.metadata());
    }

    private static UUID rotationId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw BrokerException.invalidInput("INVALID_ROTATION_ID", "rotation_id is not one BeginRotation gave");
        }
    }

    private static BrokerException expired(String portal) {
        return BrokerException.failedPrecondition("ROTATION_EXPIRED", "the rotation of portal " + portal
                + " has expired; the previous password stays current");
    }
}
