package org.rcm.credentials.credential;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jboss.logging.Logger;
import org.rcm.credentials.cache.SecretCache;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.credential.Results.CredentialRead;
import org.rcm.credentials.credential.Results.Rotated;
import org.rcm.credentials.credential.Results.Stored;
import org.rcm.credentials.endpoint.Endpoint;
import org.rcm.credentials.endpoint.Endpoints;
import org.rcm.credentials.endpoint.LegacyConfig;
import org.rcm.credentials.endpoint.RotationState;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.metrics.BrokerMetrics;
import org.rcm.credentials.secretstore.SecretArn;
import org.rcm.credentials.secretstore.SecretBackend;
import org.rcm.credentials.secretstore.SecretNames;
import org.rcm.credentials.secretstore.SecretStore;
import org.rcm.credentials.secretstore.SecretStoreConfig;
import org.rcm.credentials.secretstore.SecretStoreException;
import org.rcm.credentials.secretstore.SecretStores;
import org.rcm.credentials.secretstore.SecretValue;
import org.rcm.credentials.tenant.Caller;
import org.rcm.credentials.tenant.Role;
import org.rcm.credentials.totp.TotpGenerator;

/**
 * The credential lifecycle: the seed's CredentialManager, CredentialRotationManager and
 * dual-read pattern. Every operation is scoped to the caller's tenant and validates its input
 * before it changes anything. Audit rows are written around these operations by the
 * {@code AuditInterceptor}; operations report the secret they touch through the caller's
 * audit note.
 */
@ApplicationScoped
public class CredentialManager {

    private static final Logger LOG = Logger.getLogger(CredentialManager.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Endpoints endpoints;
    private final SecretNames names;
    private final SecretStores stores;
    private final SecretCache cache;
    private final Idempotency idempotency;
    private final PasswordGenerator passwords;
    private final TotpGenerator totp;
    private final BrokerMetrics metrics;
    private final SecretBackend defaultBackend;
    private final Duration rotationLease;

    public CredentialManager(Endpoints endpoints, SecretNames names, SecretStores stores, SecretCache cache,
            Idempotency idempotency, PasswordGenerator passwords, TotpGenerator totp, BrokerMetrics metrics,
            BrokerConfig config, SecretStoreConfig secretStoreConfig) {
        this.endpoints = endpoints;
        this.names = names;
        this.stores = stores;
        this.cache = cache;
        this.idempotency = idempotency;
        this.passwords = passwords;
        this.totp = totp;
        this.metrics = metrics;
        this.defaultBackend = secretStoreConfig.defaultBackend();
        this.rotationLease = config.rotation().lease();
    }

    // ----------------------------------------------------------------------------- register

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

    // ----------------------------------------------------------------------------- get

    /**
     * The portal's credentials by the dual read ({@link #read(Caller, Endpoint)}). The MFA seed
     * is returned only to admins that ask for it.
     */
    public Uni<CredentialRead> get(Caller caller, String portalId, boolean includeMfaSeed) {
        String portal = SecretNames.requireId("portal_id", portalId);
        if (includeMfaSeed && caller.role() != Role.ADMIN) {
            return Uni.createFrom().failure(BrokerException.permissionDenied("MFA_SEED_NOT_ALLOWED",
                    "only admins may read the mfa_seed; workers use GenerateTotp"));
        }
        return read(caller, portal)
                .map(read -> includeMfaSeed ? read : read.withoutMfaSeed());
    }

    // ----------------------------------------------------------------------------- TOTP

    /**
     * The current TOTP code of the portal's MFA seed, read like {@link #get} (dual read), so
     * that workers never need the seed itself.
     */
    public Uni<TotpGenerator.Code> totp(Caller caller, String portalId) {
        String portal = SecretNames.requireId("portal_id", portalId);
        return read(caller, portal)
                .map(read -> totpOf(portal, read.credentials().mfaSeed()));
    }

    private TotpGenerator.Code totpOf(String portal, String seed) {
        if (seed.isEmpty()) {
            throw BrokerException.notFound("NO_MFA_SEED", "portal " + portal + " has no mfa_seed");
        }
        try {
            return totp.generate(seed, Instant.now());
        } catch (IllegalArgumentException e) {
            throw BrokerException.unavailable("INVALID_MFA_SEED", "the stored mfa_seed of portal " + portal
                    + " is not base32", null);
        }
    }

    /**
     * The portal's current credentials, found within the caller's tenant (the dual read). The
     * common case, endpoint and current secret both in memory, takes no reactive step at all.
     */
    private Uni<CredentialRead> read(Caller caller, String portal) {
        Endpoint endpoint = endpoints.cached(caller.tenant(), portal);
        if (endpoint == null || endpoint.rotationUnresolved(Instant.now(), rotationLease)) {
            return endpoints.find(caller.tenant(), portal, noCredentials(portal).getMessage())
                    .chain(this::resolveRotation)
                    .chain(found -> read(caller, found));
        }
        SecretValue value = endpoint.hasSecret() ? cache.cached(endpoint.secret(), endpoint.cacheVersion()) : null;
        if (value == null) {
            return read(caller, endpoint);
        }
        caller.audit().secretArn(endpoint.secret().value());
        return Uni.createFrom().item(fromStore(endpoint, value));
    }

    /**
     * The seed's dual read, for the migration window only. With no secret reference, the
     * legacy {@code config.credentials} (logged and counted). With one, the secret store
     * through the cache (stale-if-error included); the legacy copy only while the portal is
     * migrated but not purged and the store failed transiently (throttling, 5xx, timeout) with
     * nothing cached. Never after a Delete (which removes the copy), never on not-found, access
     * denied or KMS errors: a deleted secret or a revoked grant is not bypassed. Otherwise
     * NOT_FOUND or UNAVAILABLE.
     */
    private Uni<CredentialRead> read(Caller caller, Endpoint endpoint) {
        if (endpoint.referenceInvalid()) {
            return Uni.createFrom().failure(invalidReference(endpoint));
        }
        if (!endpoint.hasSecret()) {
            return endpoint.legacyOnly() && endpoint.legacyCredentials().isPresent()
                    ? Uni.createFrom().item(legacy(endpoint, LegacyRead.NOT_MIGRATED))
                    : Uni.createFrom().failure(noCredentials(endpoint));
        }
        caller.audit().secretArn(endpoint.secret().value());
        return currentOrStoreFailure(endpoint)
                .map(value -> fromStore(endpoint, value))
                .onFailure(SecretStoreException.class)
                .recoverWithUni(failure -> storeFailed(endpoint, (SecretStoreException) failure));
    }

    private Uni<CredentialRead> storeFailed(Endpoint endpoint, SecretStoreException failure) {
        if (failure.isTransient() && endpoint.legacyFallbackAllowed()) {
            return Uni.createFrom().item(legacy(endpoint, LegacyRead.STORE_UNAVAILABLE));
        }
        return Uni.createFrom().failure(readFailure(endpoint, failure));
    }

    /** Why the dual read served the legacy copy: the {@code case} tag of {@code rcm_legacy_fallback_total}. */
    private enum LegacyRead {
        /** No secret is stored: the legacy copy is the only one. */
        NOT_MIGRATED("no secret is stored yet (not migrated)"),
        /** Migrated, not purged; the store failed transiently and nothing was cached. */
        STORE_UNAVAILABLE("the secret store failed transiently with nothing cached (migrated, not purged)");

        private final String why;

        LegacyRead(String why) {
            this.why = why;
        }
    }

    private CredentialRead legacy(Endpoint endpoint, LegacyRead kind) {
        metrics.legacyFallback(kind.name());
        LOG.warnf("Serving the legacy config.credentials of endpoint %d: %s", endpoint.id(), kind.why);
        return new CredentialRead(endpoint.legacyCredentials().orElseThrow(), CredentialSource.LEGACY_CONFIG, 0, null,
                endpoint.rotationStatus());
    }

    private static CredentialRead fromStore(Endpoint endpoint, SecretValue value) {
        return new CredentialRead(value, CredentialSource.SECRET_STORE, endpoint.secretVersion(), endpoint.lastRotatedAt(),
                endpoint.rotationStatus());
    }

    /** The current version's value, from the cache or the store; store failures become caller-facing errors. */
    private Uni<SecretValue> current(Endpoint endpoint) {
        return currentOrStoreFailure(endpoint)
                .onFailure(SecretStoreException.class)
                .transform(failure -> readFailure(endpoint, (SecretStoreException) failure));
    }

    /** The current version's value, from the cache or the store; fails with the store's {@link SecretStoreException}. */
    private Uni<SecretValue> currentOrStoreFailure(Endpoint endpoint) {
        SecretArn arn = endpoint.secret();
        return cache.get(arn, endpoint.cacheVersion(), () -> fetch(arn, endpoint.secretVersionId()))
                .map(SecretCache.Lookup::value);
    }

    private Uni<SecretValue> fetch(SecretArn arn, String versionId) {
        String backend = arn.backend().arnService();
        return stores.of(arn).get(arn, versionId)
                .invoke(() -> metrics.secretFetch(backend, "success"))
                .onFailure(SecretStoreException.class)
                .invoke(failure -> metrics.secretFetch(backend, ((SecretStoreException) failure).reason().name()));
    }

    // ----------------------------------------------------------------------------- store

    /** Stores credentials as the portal's new current version. */
    public Uni<Stored> store(Caller caller, Requests.Store request) {
        String portal = SecretNames.requireId("portal_id", request.portalId());
        SecretValue value = CredentialRules.requireComplete(request.credentials());
        String key = CredentialRules.idempotencyKey(request.idempotencyKey());
        SecretBackend backend = request.backend() == null ? defaultBackend : request.backend();
        stores.requireFits(value, backend);
        byte[] fingerprint = fingerprint("store", portal, backend.name(), value.toJson());
        return idempotency.once(caller.tenant(), key, STORE, fingerprint,
                attempt -> endpoints.load(caller.tenant(), portal, notRegistered(portal))
                        .chain(this::resolveRotation)
                        .chain(endpoint -> store(caller, endpoint, value, backend, requestToken(caller, portal, key), attempt)),
                written -> settled(caller, portal, written).map(endpoint -> {
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
     * Runs a change under the endpoint's claim, so that no other store, rotation or delete of
     * the portal writes to the secret store meanwhile: {@code write} (the secret store), then
     * {@code record} (the database, which ends the claim). A write that fails gives the claim
     * back; a record that fails after the write leaves it to {@code record}'s own handling or to
     * lapse. ABORTED while another change holds the portal.
     */
    private <W, T> Uni<T> claimed(Endpoint endpoint, Function<Instant, Uni<W>> write,
            BiFunction<Instant, W, Uni<T>> record) {
        return endpoints.claim(endpoint, rotationLease)
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
        return forget.chain(() -> endpoints.claim(after, rotationLease)
                .chain(claim -> stores.of(previous).delete(previous)
                        .onTermination().call(() -> endpoints.releaseClaim(after, claim)))
                .onFailure().invoke(e -> LOG.warnf("Old secret of endpoint %d not deleted after a backend switch: %s",
                        before.id(), e instanceof SecretStoreException failure ? failure.callerMessage()
                                : e.getClass().getSimpleName()))
                .onFailure().recoverWithNull()
                .replaceWithVoid());
    }

    // ----------------------------------------------------------------------------- rotate

    /**
     * Rotates in two phases, like Secrets Manager's own rotation: the new value is written as
     * a pending version, then promoted. A failure in either phase is an answer, after asking
     * the store what happened: the pending version current after all (its answer was lost),
     * success; not current, {@code success=false}, status FAILED, the previous version stays
     * current; no telling, {@code success=false}, status PENDING, and the next Get or Rotate
     * resolves it.
     */
    public Uni<Rotated> rotate(Caller caller, Requests.Rotate request) {
        String portal = SecretNames.requireId("portal_id", request.portalId());
        SecretValue changes = CredentialRules.requireWellFormed(request.newCredentials(), "new_credentials");
        String key = CredentialRules.idempotencyKey(request.idempotencyKey());
        byte[] fingerprint = fingerprint("rotate", portal, changes.toJson(), request.policy().toString());
        return idempotency.once(caller.tenant(), key, ROTATE, fingerprint,
                attempt -> endpoints.load(caller.tenant(), portal, noCredentials(portal).getMessage())
                        .chain(this::resolveRotation)
                        .chain(endpoint -> rotate(caller, endpoint, changes, request.policy(), key, attempt)),
                written -> settled(caller, portal, written).map(endpoint -> endpoint == null ? null
                        : written.equals(endpoint.pendingVersionId()) ? rotationUnknown(endpoint)
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
        SecretArn arn = endpoint.secret();
        caller.audit().secretArn(arn.value());
        if (endpoint.rotationInProgress(Instant.now(), rotationLease)) {
            return Uni.createFrom().failure(Endpoints.changeInProgress(endpoint.portalId())); // before reading the value
        }
        return current(endpoint)
                .map(currentValue -> merge(currentValue, changes, policy))
                .invoke(newValue -> stores.requireFits(newValue, arn.backend()))
                .chain(newValue -> endpoints.claim(endpoint, rotationLease)
                        .chain(claim -> twoPhaseRotation(endpoint, newValue, claim,
                                // per attempt: a retry after a failed rotation writes another (generated) value
                                key.isEmpty() ? null : requestToken(caller, endpoint.portalId(), key + "@" + claim),
                                attempt)));
    }

    private Uni<Rotated> twoPhaseRotation(Endpoint endpoint, SecretValue newValue, Instant claim, String token,
            Idempotency.Attempt attempt) {
        SecretArn arn = endpoint.secret();
        SecretStore store = stores.of(arn);
        return store.writePending(arn, newValue, token)
                .invoke(pending -> attempt.wrote(pending.versionId()))
                .onItemOrFailure().transformToUni((pending, failure) -> failure != null
                        ? rotationFailed(endpoint, claim, failure)
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
                                ? rotationUnknown(endpoint, claim, failure)
                                : pending.equals(current)
                                        ? promoted(endpoint, claim, pending)
                                                .onFailure().recoverWithUni(e -> rotationUnknown(endpoint, claim, e))
                                        : rotationFailed(endpoint, claim, failure)));
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
    private Uni<Rotated> rotationUnknown(Endpoint endpoint, Instant claim, Throwable failure) {
        metrics.rotation("unknown");
        LOG.warnf("Rotation of endpoint %d has an unknown outcome (%s); the next Get or Rotate resolves it",
                endpoint.id(), failure.getClass().getSimpleName());
        return endpoints.markRotationFailed(endpoint, claim)
                .onFailure().recoverWithNull()
                .map(ignored -> rotationUnknown(endpoint));
    }

    private static Rotated rotationUnknown(Endpoint endpoint) {
        return new Rotated(false, RotationState.PENDING, endpoint.secretVersion(), null,
                "the rotation's outcome is not known yet; read the credentials to see which version is current");
    }

    /**
     * For the retry of a keyed Store or Rotate whose write of version {@code written} is
     * unsettled: the endpoint once its unfinished change is resolved with the store, when
     * {@code written} is current or still cannot be told from the store; null when it is
     * known not to be current (the request runs again).
     */
    private Uni<Endpoint> settled(Caller caller, String portal, String written) {
        return endpoints.load(caller.tenant(), portal, notRegistered(portal))
                .chain(this::resolveRotation)
                .map(endpoint -> written.equals(endpoint.secretVersionId()) || written.equals(endpoint.pendingVersionId())
                        ? endpoint : null);
    }

    private Uni<Rotated> rotationFailed(Endpoint endpoint, Instant claim, Throwable failure) {
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

    private SecretValue merge(SecretValue current, SecretValue changes, PasswordGenerator.Policy policy) {
        return new SecretValue(
                changes.username().isEmpty() ? current.username() : changes.username(),
                changes.password().isEmpty() ? passwords.generate(policy) : changes.password(),
                changes.mfaSeed().isEmpty() ? current.mfaSeed() : changes.mfaSeed(),
                changes.metadata().isEmpty() ? current.metadata() : changes.metadata());
    }

    /**
     * Resolves a rotation left unfinished (its promotion failed, or its process died): when
     * the store made the pending version current, the endpoint follows; otherwise the pending
     * version is forgotten. When the store cannot tell now, the endpoint is used as it is.
     */
    private Uni<Endpoint> resolveRotation(Endpoint endpoint) {
        if (!endpoint.hasSecret() || !endpoint.rotationUnresolved(Instant.now(), rotationLease)) {
            return Uni.createFrom().item(endpoint);
        }
        String pending = endpoint.pendingVersionId();
        Uni<Endpoint> resolved = pending == null
                ? endpoints.expireClaim(endpoint).chain(() -> reload(endpoint))
                : stores.of(endpoint.secret()).currentVersionId(endpoint.secret())
                        .chain(current -> current.equals(pending)
                                ? endpoints.markPromoted(endpoint, endpoint.rotationStartedAt(), pending)
                                        .call(() -> cache.invalidate(endpoint.secret(), endpoint.cacheVersion()))
                                : endpoints.abandonPending(endpoint, pending).chain(() -> reload(endpoint)));
        return resolved
                .invoke(after -> LOG.infof("Resolved an unfinished rotation of endpoint %d: %s", endpoint.id(),
                        after.rotationStatus()))
                .onFailure().recoverWithUni(failure -> reload(endpoint))
                .onFailure().recoverWithItem(endpoint);
    }

    private Uni<Endpoint> reload(Endpoint endpoint) {
        return endpoints.load(endpoint.tenantId(), endpoint.portalId(), notRegistered(endpoint.portalId()));
    }

    // ----------------------------------------------------------------------------- delete

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

    // ----------------------------------------------------------------------------- helpers

    /**
     * Secrets Manager's idempotency token for a write that carries an idempotency key, so
     * that a retry of an interrupted write cannot create a second version.
     */
    private static String requestToken(Caller caller, String portal, String key) {
        return key.isEmpty() ? null
                : UUID.nameUUIDFromBytes((caller.tenant() + "/" + portal + "/" + key).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static byte[] fingerprint(String... parts) {
        return String.join("\u0000", parts).getBytes(StandardCharsets.UTF_8);
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

    private static BrokerException readFailure(Endpoint endpoint, SecretStoreException failure) {
        if (failure.reason() == SecretStoreException.Reason.NOT_FOUND) {
            return noCredentials(endpoint);
        }
        return BrokerException.unavailable("SECRET_STORE_" + failure.reason().name(), failure.callerMessage(), failure);
    }

    private static BrokerException writeFailure(SecretStoreException failure) {
        return switch (failure.reason()) {
            case INVALID_REQUEST -> BrokerException.invalidInput("SECRET_REJECTED", "the secret store rejected the credentials");
            case ALREADY_EXISTS -> BrokerException.conflict("SECRET_VERSION_CONFLICT",
                    "the secret store already has a different version for this request");
            default -> BrokerException.unavailable("SECRET_STORE_" + failure.reason().name(), failure.callerMessage(), failure);
        };
    }

    private static BrokerException noCredentials(Endpoint endpoint) {
        return noCredentials(endpoint.portalId());
    }

    private static BrokerException noCredentials(String portal) {
        return BrokerException.notFound("NO_CREDENTIALS", "no credentials for portal " + portal);
    }

    private static String notRegistered(String portal) {
        return "portal " + portal + " is not registered";
    }

    private static BrokerException invalidReference(Endpoint endpoint) {
        return BrokerException.unavailable("INVALID_SECRET_REFERENCE",
                "the stored secret reference of portal " + endpoint.portalId() + " is invalid; contact an operator", null);
    }


    private static final Idempotency.Operation<Stored> STORE = new Idempotency.Operation<>("store", Idempotency.codec(
            stored -> JSON.createObjectNode()
                    .put("version", stored.version())
                    .put("storedAt", stored.storedAt().toString())
                    .put("status", stored.rotationStatus().name())
                    .toString(),
            json -> {
                JsonNode node = readJson(json);
                return new Stored(node.get("version").asLong(), Instant.parse(node.get("storedAt").asText()),
                        RotationState.valueOf(node.get("status").asText()));
            }), stored -> Idempotency.Outcome.KEEP);

    /** A failed rotation's version never became current: the key is released; an unknown outcome is settled. */
    private static final Idempotency.Operation<Rotated> ROTATE = new Idempotency.Operation<>("rotate", Idempotency.codec(
            rotated -> JSON.createObjectNode()
                    .put("version", rotated.version())
                    .put("rotatedAt", rotated.rotatedAt().toString())
                    .put("status", rotated.rotationStatus().name())
                    .toString(),
            json -> {
                JsonNode node = readJson(json);
                return new Rotated(true, RotationState.valueOf(node.get("status").asText()), node.get("version").asLong(),
                        Instant.parse(node.get("rotatedAt").asText()), "");
            }), rotated -> rotated.success() ? Idempotency.Outcome.KEEP
                    : rotated.rotationStatus() == RotationState.PENDING ? Idempotency.Outcome.UNSETTLED
                    : Idempotency.Outcome.RELEASE);

    private static JsonNode readJson(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable idempotency record", e);
        }
    }
}
