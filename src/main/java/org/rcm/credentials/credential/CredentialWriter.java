package org.rcm.credentials.credential;

import static org.rcm.credentials.credential.CredentialErrors.invalidReference;
import static org.rcm.credentials.credential.CredentialErrors.notRegistered;
import static org.rcm.credentials.credential.CredentialErrors.writeFailure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jboss.logging.Logger;
import org.rcm.credentials.cache.SecretCache;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.credential.Results.Stored;
import org.rcm.credentials.endpoint.Endpoint;
import org.rcm.credentials.endpoint.Endpoints;
import org.rcm.credentials.endpoint.LegacyConfig;
import org.rcm.credentials.endpoint.RotationState;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.secretstore.SecretArn;
import org.rcm.credentials.secretstore.SecretBackend;
import org.rcm.credentials.secretstore.SecretNames;
import org.rcm.credentials.secretstore.SecretStoreConfig;
import org.rcm.credentials.secretstore.SecretStoreException;
import org.rcm.credentials.secretstore.SecretStores;
import org.rcm.credentials.secretstore.SecretValue;
import org.rcm.credentials.tenant.Caller;

/**
 * Registers portals and stores and deletes their credentials, each change scoped to the
 * caller's tenant and validated before it changes anything, and run under the portal's claim
 * so that no other change writes to the secret store meanwhile.
 */
@ApplicationScoped
public class CredentialWriter {

    private static final Logger LOG = Logger.getLogger(CredentialWriter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Endpoints endpoints;
    private final SecretNames names;
    private final SecretStores stores;
    private final SecretCache cache;
    private final Idempotency idempotency;
    private final UnfinishedChanges unfinished;
    private final SecretBackend defaultBackend;
    private final Duration lease;

    public CredentialWriter(Endpoints endpoints, SecretNames names, SecretStores stores, SecretCache cache,
            Idempotency idempotency, UnfinishedChanges unfinished, BrokerConfig config, SecretStoreConfig storeConfig) {
        this.endpoints = endpoints;
        this.names = names;
        this.stores = stores;
        this.cache = cache;
        this.idempotency = idempotency;
        this.unfinished = unfinished;
        this.defaultBackend = storeConfig.defaultBackend();
        this.lease = config.rotation().lease();
    }

    /**
     * Registers a portal in the caller's tenant, or updates its name and type (and config,
     * when one is given).
     *
     * @return true when the portal was created
     */
    public Uni<Boolean> register(Caller caller, Requests.Register request) {
        String portal = SecretNames.requireId("portal_id", request.portalId());
        String name = required("name", CredentialRules.text("name", request.name(), 256));
        String type = SecretNames.requireId("portal_type", request.portalType());
        String config = request.configJson() == null ? null : validConfig(request.configJson());
        return endpoints.register(caller.tenant(), portal, name, type, config);
    }

    /** Stores credentials as the portal's new current version. */
    public Uni<Stored> store(Caller caller, Requests.Store request) {
        String portal = SecretNames.requireId("portal_id", request.portalId());
        SecretValue value = CredentialRules.requireComplete(request.credentials());
        String key = CredentialRules.idempotencyKey(request.idempotencyKey());
        SecretBackend backend = request.backend() == null ? defaultBackend : request.backend();
        stores.requireFits(value, backend);
        byte[] fingerprint = CredentialRules.fingerprint("store", portal, backend.name(), value.toJson());
        String token = CredentialRules.requestToken(caller.tenant(), portal, key);
        return idempotency.once(caller.tenant(), key, STORE, fingerprint,
                attempt -> endpoints.load(caller.tenant(), portal, notRegistered(portal))
                        .chain(unfinished::resolve)
                        .chain(endpoint -> store(caller, endpoint, value, backend, token, attempt)),
                written -> unfinished.settled(caller, portal, written).map(endpoint -> {
                    if (endpoint != null && !written.equals(endpoint.secretVersionId())) {
                        throw BrokerException.unavailable("IDEMPOTENT_REQUEST_UNSETTLED", "the first request with this"
                                + " idempotency_key wrote to the secret store, which cannot confirm it yet; retry later", null);
                    }
                    return endpoint == null ? null
                            : new Stored(endpoint.secretVersion(), endpoint.lastRotatedAt(), endpoint.rotationStatus());
                }));
    }

    private Uni<Stored> store(Caller caller, Endpoint endpoint, SecretValue value, SecretBackend backend, String token,
            Idempotency.Attempt attempt) {
        if (endpoint.referenceInvalid()) {
            return Uni.createFrom().failure(invalidReference(endpoint));
        }
        SecretArn previous = endpoint.secret();
        SecretArn target = previous != null && previous.backend() == backend
                ? previous : names.arnFor(caller.tenant(), endpoint.portalId(), backend);
        caller.audit().secretArn(target.value());
        return claimed(endpoint, claim -> stores.of(backend).put(target, value, token)
                        .invoke(written -> attempt.wrote(written.versionId()))
                        .onFailure(SecretStoreException.class).transform(failure -> writeFailure((SecretStoreException) failure)),
                (claim, written) -> {
                    caller.audit().secretArn(written.arn().value());
                    Uni<Endpoint> stored = endpoints.markStored(endpoint, claim, written.arn(), written.versionId());
                    return written.arn().equals(previous) ? stored.onFailure().call(() ->
                            endpoints.markUnconfirmed(endpoint, claim, written.versionId())) : stored;
                })
                .call(stored -> forgetPrevious(endpoint, stored))
                .map(stored -> new Stored(stored.secretVersion(), stored.lastRotatedAt(), stored.rotationStatus()));
    }

    /**
     * Deletes the portal's secret (Secrets Manager: with the configured recovery window), its
     * reference and any legacy {@code config.credentials}; a portal that has only legacy
     * credentials loses those.
     *
     * @return false when the portal had no credentials at all
     */
    public Uni<Boolean> delete(Caller caller, String portalId) {
        String portal = SecretNames.requireId("portal_id", portalId);
        return endpoints.load(caller.tenant(), portal, notRegistered(portal))
                .chain(endpoint -> delete(caller, endpoint));
    }

    private Uni<Boolean> delete(Caller caller, Endpoint endpoint) {
        if (endpoint.referenceInvalid()) {
            return Uni.createFrom().failure(invalidReference(endpoint));
        }
        if (endpoint.secret() == null) {
            return endpoint.legacyCredentials().isPresent()
                    ? endpoints.deleteLegacyCredentials(endpoint).replaceWith(true)
                    : Uni.createFrom().item(false);
        }
        SecretArn arn = endpoint.secret();
        caller.audit().secretArn(arn.value());
        return claimed(endpoint, claim -> stores.of(arn).delete(arn)
                        .onFailure(SecretStoreException.class).transform(failure -> writeFailure((SecretStoreException) failure)),
                (claim, existed) -> endpoints.markDeleted(endpoint, claim))
                .call(() -> cache.invalidate(arn, endpoint.cacheVersion()))
                .replaceWith(true);
    }

    /**
     * Runs a change under the endpoint's claim, so that no other store, rotation or delete of
     * the portal writes to the secret store meanwhile: {@code write} (the secret store), then
     * {@code record} (the database, which ends the claim). A write that fails gives the claim
     * back; a record that fails after the write leaves it to {@code record}'s own handling or to
     * lapse. ABORTED while another change holds the portal.
     */
    private <W, T> Uni<T> claimed(Endpoint endpoint, Function<Instant, Uni<W>> write,
            BiFunction<Instant, W, Uni<T>> record) {
        return endpoints.claim(endpoint, lease)
                .chain(claim -> write.apply(claim)
                        .onFailure().call(() -> endpoints.releaseClaim(endpoint, claim))
                        .chain(written -> record.apply(claim, written)));
    }

    /**
     * Drops the replaced version from the caches; after a backend switch, deletes the old
     * secret under a claim of its own, so that it cannot remove what a later change wrote.
     */
    private Uni<Void> forgetPrevious(Endpoint before, Endpoint after) {
        SecretArn previous = before.secret();
        if (previous == null) {
            return Uni.createFrom().voidItem();
        }
        Uni<Void> forget = cache.invalidate(previous, before.cacheVersion());
        if (previous.backend() == after.secret().backend()) {
            return forget;
        }
        return forget.chain(() -> endpoints.claim(after, lease)
                .chain(claim -> stores.of(previous).delete(previous)
                        .onTermination().call(() -> endpoints.releaseClaim(after, claim)))
                .onFailure().invoke(e -> LOG.warnf("Old secret of endpoint %d not deleted after a backend switch: %s",
                        before.id(), e instanceof SecretStoreException failure ? failure.callerMessage()
                                : e.getClass().getSimpleName()))
                .onFailure().recoverWithNull()
                .replaceWithVoid());
    }

    /** The config to store (see {@link LegacyConfig#validate}); its credentials, if any, as complete as a Store's. */
    private static String validConfig(String json) {
        if (json.isEmpty()) {
            return null;
        }
        try {
            String config = LegacyConfig.validate(json);
            LegacyConfig.credentials(config)
                    .ifPresent(credentials -> CredentialRules.requireComplete(credentials, "legacy_config_json.credentials"));
            return config;
        } catch (IllegalArgumentException e) {
            throw CredentialRules.invalid("INVALID_CONFIG", e.getMessage());
        }
    }

    private static String required(String field, String value) {
        if (value.isBlank()) {
            throw CredentialRules.invalid("INVALID_" + field.toUpperCase(Locale.ROOT), field + " is required");
        }
        return value;
    }

    private static final Idempotency.Operation<Stored> STORE = new Idempotency.Operation<>("store", Idempotency.codec(
            stored -> JSON.createObjectNode()
                    .put("version", stored.version())
                    .put("storedAt", stored.storedAt().toString())
                    .put("status", stored.rotationStatus().name())
                    .toString(),
            json -> {
                JsonNode node = Idempotency.readJson(json);
                return new Stored(node.get("version").asLong(), Instant.parse(node.get("storedAt").asText()),
                        RotationState.valueOf(node.get("status").asText()));
            }), stored -> Idempotency.Outcome.KEEP);
}
