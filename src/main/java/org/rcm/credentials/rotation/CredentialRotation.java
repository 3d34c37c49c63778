package org.rcm.credentials.rotation;

import static org.rcm.credentials.credential.CredentialErrors.invalidReference;
import static org.rcm.credentials.credential.CredentialErrors.noCredentials;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;
import org.rcm.credentials.cache.SecretCache;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.credential.CredentialReader;
import org.rcm.credentials.credential.CredentialRules;
import org.rcm.credentials.credential.Idempotency;
import org.rcm.credentials.credential.UnfinishedChanges;
import org.rcm.credentials.endpoint.Endpoint;
import org.rcm.credentials.endpoint.Endpoints;
import org.rcm.credentials.endpoint.RotationState;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.metrics.BrokerMetrics;
import org.rcm.credentials.secretstore.SecretArn;
import org.rcm.credentials.secretstore.SecretNames;
import org.rcm.credentials.secretstore.SecretStore;
import org.rcm.credentials.secretstore.SecretStoreException;
import org.rcm.credentials.secretstore.SecretStores;
import org.rcm.credentials.secretstore.SecretValue;
import org.rcm.credentials.tenant.Caller;

/**
 * RotateCredentials: the seed's CredentialRotationManager. Rotates in two phases, like
 * Secrets Manager's own rotation: the new value is written as a pending version, then
 * promoted. A failure in either phase is an answer, after asking the store what happened: the
 * pending version current after all (its answer was lost), success; not current,
 * {@code success=false}, status FAILED, the previous version stays current; no telling,
 * {@code success=false}, status PENDING, and the next Get or Rotate resolves it.
 */
@ApplicationScoped
public class CredentialRotation {

    private static final Logger LOG = Logger.getLogger(CredentialRotation.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Endpoints endpoints;
    private final SecretStores stores;
    private final SecretCache cache;
    private final CredentialReader reader;
    private final UnfinishedChanges unfinished;
    private final Idempotency idempotency;
    private final PasswordGenerator passwords;
    private final BrokerMetrics metrics;
    private final Duration lease;

    public CredentialRotation(Endpoints endpoints, SecretStores stores, SecretCache cache, CredentialReader reader,
            UnfinishedChanges unfinished, Idempotency idempotency, PasswordGenerator passwords, BrokerMetrics metrics,
            BrokerConfig config) {
        this.endpoints = endpoints;
        this.stores = stores;
        this.cache = cache;
        this.reader = reader;
        this.unfinished = unfinished;
        this.idempotency = idempotency;
        this.passwords = passwords;
        this.metrics = metrics;
        this.lease = config.rotation().lease();
    }

    /** Rotates the portal's credentials; a keyed retry of a PENDING answer settles that rotation instead of rotating again. */
    public Uni<Rotated> rotate(Caller caller, RotationRequest request) {
        String portal = SecretNames.requireId("portal_id", request.portalId());
        SecretValue changes = CredentialRules.requireWellFormed(request.newCredentials(), "new_credentials");
        String key = CredentialRules.idempotencyKey(request.idempotencyKey());
        byte[] fingerprint = CredentialRules.fingerprint("rotate", portal, changes.toJson(), request.policy().toString());
        return idempotency.once(caller.tenant(), key, ROTATE, fingerprint,
                attempt -> endpoints.load(caller.tenant(), portal, noCredentials(portal).getMessage())
                        .chain(unfinished::resolve)
                        .chain(endpoint -> rotate(caller, endpoint, changes, request.policy(), key, attempt)),
                written -> unfinished.settled(caller, portal, written).map(endpoint -> endpoint == null ? null
                        : written.equals(endpoint.pendingVersionId()) ? unknown(endpoint)
                        : new Rotated(true, endpoint.rotationStatus(), endpoint.secretVersion(), endpoint.lastRotatedAt(), "")))
                .invoke(rotated -> {
                    if (!rotated.success()) {
                        caller.audit().failed("rotation failed: " + rotated.error());
                    }
                });
    }

    private Uni<Rotated> rotate(Caller caller, Endpoint endpoint, SecretValue changes, PasswordGenerator.Policy policy,
            String key, Idempotency.Attempt attempt) {
        if (!endpoint.hasSecret()) {
            return Uni.createFrom().failure(endpoint.referenceInvalid() ? invalidReference(endpoint) : noCredentials(endpoint));
        }
        caller.audit().secretArn(endpoint.secret().value());
        if (endpoint.rotationInProgress(Instant.now(), lease)) {
            return Uni.createFrom().failure(Endpoints.changeInProgress(endpoint.portalId())); // before reading the value
        }
        return reader.current(endpoint)
                .map(currentValue -> merge(currentValue, changes, policy, passwords))
                .invoke(newValue -> stores.requireFits(newValue, endpoint.secret().backend()))
                .chain(newValue -> endpoints.claim(endpoint, lease)
                        .chain(claim -> twoPhase(endpoint, newValue, claim,
                                // per attempt: a retry after a failed rotation writes another (generated) value
                                key.isEmpty() ? null
                                        : CredentialRules.requestToken(caller.tenant(), endpoint.portalId(), key + "@" + claim),
                                attempt)));
    }

    private Uni<Rotated> twoPhase(Endpoint endpoint, SecretValue newValue, Instant claim, String token,
            Idempotency.Attempt attempt) {
        SecretArn arn = endpoint.secret();
        SecretStore store = stores.of(arn);
        return store.writePending(arn, newValue, token)
                .invoke(pending -> attempt.wrote(pending.versionId()))
                .onItemOrFailure().transformToUni((pending, failure) -> failure != null
                        ? failed(endpoint, claim, failure)
                        : promote(endpoint, claim, store, pending.versionId()));
    }

    /** Phase two; when it fails, the answer follows what the store says is current. */
    private Uni<Rotated> promote(Endpoint endpoint, Instant claim, SecretStore store, String pending) {
        SecretArn arn = endpoint.secret();
        return endpoints.markPending(endpoint, claim, pending)
                .chain(() -> store.promote(arn, pending))
                .chain(() -> promoted(endpoint, claim, pending))
                .onFailure().recoverWithUni(failure -> store.currentVersionId(arn)
                        .onItemOrFailure().transformToUni((current, unknown) -> unknown != null
                                ? unknown(endpoint, claim, failure)
                                : pending.equals(current)
                                        ? promoted(endpoint, claim, pending)
                                                .onFailure().recoverWithUni(e -> unknown(endpoint, claim, e))
                                        : failed(endpoint, claim, failure)));
    }

    private Uni<Rotated> promoted(Endpoint endpoint, Instant claim, String pending) {
        return endpoints.markPromoted(endpoint, claim, pending)
                .call(() -> cache.invalidate(endpoint.secret(), endpoint.cacheVersion()))
                .invoke(() -> metrics.rotation("success"))
                .map(rotated -> new Rotated(true, rotated.rotationStatus(), rotated.secretVersion(),
                        rotated.lastRotatedAt(), ""));
    }

    /**
     * The store may or may not have made the pending version current, and cannot say now: the
     * answer is PENDING, and the endpoint keeps the pending version for the next Get or Rotate
     * to settle with the store.
     */
    private Uni<Rotated> unknown(Endpoint endpoint, Instant claim, Throwable failure) {
        metrics.rotation("unknown");
        LOG.warnf("Rotation of endpoint %d has an unknown outcome (%s); the next Get or Rotate resolves it",
                endpoint.id(), failure.getClass().getSimpleName());
        return endpoints.markRotationFailed(endpoint, claim)
                .onFailure().recoverWithNull()
                .map(ignored -> unknown(endpoint));
    }

    private static Rotated unknown(Endpoint endpoint) {
        return new Rotated(false, RotationState.PENDING, endpoint.secretVersion(), null,
                "the rotation's outcome is not known yet; read the credentials to see which version is current");
    }

    private Uni<Rotated> failed(Endpoint endpoint, Instant claim, Throwable failure) {
        String reason = failure instanceof SecretStoreException e ? e.callerMessage()
                : failure instanceof BrokerException e ? e.getMessage() : "internal error";
        metrics.rotation("failed");
        LOG.warnf("Rotation of endpoint %d failed, the previous version stays current: %s", endpoint.id(), reason);
        return endpoints.markRotationFailed(endpoint, claim)
                .onFailure().invoke(e -> LOG.warnf("Rotation of endpoint %d not marked failed (%s); the next Get or"
                        + " Rotate resolves it", endpoint.id(), e.getClass().getSimpleName()))
                .onFailure().recoverWithNull()
                .map(ignored -> new Rotated(false, RotationState.FAILED, endpoint.secretVersion(), null, reason));
    }

    /** The new value: each empty field of {@code changes} keeps the current one; an empty password is generated. */
    static SecretValue merge(SecretValue current, SecretValue changes, PasswordGenerator.Policy policy,
            PasswordGenerator passwords) {
        return new SecretValue(
                changes.username().isEmpty() ? current.username() : changes.username(),
                changes.password().isEmpty() ? passwords.generate(policy) : changes.password(),
                changes.mfaSeed().isEmpty() ? current.mfaSeed() : changes.mfaSeed(),
                changes.metadata().isEmpty() ? current.metadata() : changes.metadata());
    }

    /** A failed rotation's version never became current: the key is released; an unknown outcome is settled. */
    private static final Idempotency.Operation<Rotated> ROTATE = new Idempotency.Operation<>("rotate", Idempotency.codec(
            rotated -> JSON.createObjectNode()
                    .put("version", rotated.version())
                    .put("rotatedAt", rotated.rotatedAt().toString())
                    .put("status", rotated.rotationStatus().name())
                    .toString(),
            json -> {
                JsonNode node = Idempotency.readJson(json);
                return new Rotated(true, RotationState.valueOf(node.get("status").asText()), node.get("version").asLong(),
                        Instant.parse(node.get("rotatedAt").asText()), "");
            }), rotated -> rotated.success() ? Idempotency.Outcome.KEEP
                    : rotated.rotationStatus() == RotationState.PENDING ? Idempotency.Outcome.UNSETTLED
                    : Idempotency.Outcome.RELEASE);
}
