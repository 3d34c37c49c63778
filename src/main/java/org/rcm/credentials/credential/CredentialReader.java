package org.rcm.credentials.credential;

import static org.rcm.credentials.credential.CredentialErrors.invalidReference;
import static org.rcm.credentials.credential.CredentialErrors.noCredentials;
import static org.rcm.credentials.credential.CredentialErrors.readFailure;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;
import org.rcm.credentials.cache.SecretCache;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.credential.Results.CredentialRead;
import org.rcm.credentials.endpoint.Endpoint;
import org.rcm.credentials.endpoint.Endpoints;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.metrics.BrokerMetrics;
import org.rcm.credentials.secretstore.SecretArn;
import org.rcm.credentials.secretstore.SecretNames;
import org.rcm.credentials.secretstore.SecretStoreException;
import org.rcm.credentials.secretstore.SecretStores;
import org.rcm.credentials.secretstore.SecretValue;
import org.rcm.credentials.tenant.Caller;
import org.rcm.credentials.tenant.Role;

/**
 * Reads a portal's credentials within the caller's tenant: the seed's dual read. Audit rows
 * are written around it by the audit interceptor; it reports the secret it reads through the
 * caller's audit note.
 */
@ApplicationScoped
public class CredentialReader {

    private static final Logger LOG = Logger.getLogger(CredentialReader.class);

    private final Endpoints endpoints;
    private final SecretStores stores;
    private final SecretCache cache;
    private final UnfinishedChanges unfinished;
    private final BrokerMetrics metrics;
    private final Duration rotationLease;

    public CredentialReader(Endpoints endpoints, SecretStores stores, SecretCache cache, UnfinishedChanges unfinished,
            BrokerMetrics metrics, BrokerConfig config) {
        this.endpoints = endpoints;
        this.stores = stores;
        this.cache = cache;
        this.unfinished = unfinished;
        this.metrics = metrics;
        this.rotationLease = config.rotation().lease();
    }

    /** The portal's credentials ({@link #read(Caller, String)}). The MFA seed only for admins that ask for it. */
    public Uni<CredentialRead> get(Caller caller, String portalId, boolean includeMfaSeed) {
        String portal = SecretNames.requireId("portal_id", portalId);
        if (includeMfaSeed && caller.role() != Role.ADMIN) {
            return Uni.createFrom().failure(BrokerException.permissionDenied("MFA_SEED_NOT_ALLOWED",
                    "only admins may read the mfa_seed; workers use GenerateTotp"));
        }
        return read(caller, portal)
                .map(read -> includeMfaSeed ? read : read.withoutMfaSeed());
    }

    /**
     * The portal's current credentials, found within the caller's tenant (the dual read). The
     * common case, endpoint and current secret both in memory, takes no reactive step at all.
     */
    public Uni<CredentialRead> read(Caller caller, String portal) {
        Endpoint endpoint = endpoints.cached(caller.tenant(), portal);
        if (endpoint != null && endpoint.paused()) {
            return Uni.createFrom().failure(CredentialErrors.paused(portal));
        }
        if (endpoint == null || endpoint.rotationUnresolved(Instant.now(), rotationLease)) {
            return endpoints.find(caller.tenant(), portal, noCredentials(portal).getMessage())
                    .chain(unfinished::resolve)
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
        if (endpoint.paused()) {
            return Uni.createFrom().failure(CredentialErrors.paused(endpoint.portalId()));
        }
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
    public Uni<SecretValue> current(Endpoint endpoint) {
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
}
