package org.rcm.credentials.endpoint;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import org.rcm.credentials.cache.CacheInvalidationBus;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.reactive.VertxContexts;
import org.rcm.credentials.secretstore.SecretArn;
import org.rcm.credentials.secretstore.SecretNames;

/**
 * The domain's access to integration endpoints: cached reads for the request path, fresh
 * reads and conditional state changes for writers. Every change invalidates the cached row
 * on every replica.
 */
@ApplicationScoped
public class Endpoints {

    private static final Logger LOG = Logger.getLogger(Endpoints.class);
    /**
     * Creates or updates a portal; a new config replaces the old one (and ends a verified
     * migration's state) unless it would put plaintext credentials beside a stored secret, in
     * which case no row comes back.
     */
    private static final String UPSERT = """
            INSERT INTO integration_endpoint (tenant_id, portal_id, name, portal_type, config)
            VALUES (?1, ?2, ?3, ?4, COALESCE(CAST(CAST(?5 AS text) AS jsonb), '{}'::jsonb))
            ON CONFLICT (tenant_id, portal_id) DO UPDATE
               SET name = EXCLUDED.name, portal_type = EXCLUDED.portal_type,
                   config = CASE WHEN CAST(?5 AS text) IS NULL THEN integration_endpoint.config ELSE EXCLUDED.config END,
                   legacy_migration = CASE WHEN CAST(?5 AS text) IS NULL THEN integration_endpoint.legacy_migration
                                           ELSE NULLIF(integration_endpoint.legacy_migration, 'migrated_verified') END,
                   updated_at = now()
             WHERE integration_endpoint.secret_arn IS NULL OR EXCLUDED.config -> 'credentials' IS NULL
            RETURNING (xmax = 0)""";

    private final EndpointRepository repository;
    private final EndpointCache cache;
    private final SecretNames names;
    private final Duration timeout;

    public Endpoints(EndpointRepository repository, EndpointCache cache, SecretNames names, BrokerConfig config) {
        this.repository = repository;
        this.cache = cache;
        this.names = names;
        this.timeout = config.databaseTimeout();
    }

    /** The tenant's portal through the cache; NOT_FOUND when it is not registered in this tenant. */
    public Uni<Endpoint> find(String tenant, String portal, String notFoundMessage) {
        return cache.get(tenant, portal, () -> load(tenant, portal, notFoundMessage));
    }

    /** The tenant's portal if it is cached, else null: for the request path's synchronous fast path. */
    public Endpoint cached(String tenant, String portal) {
        return cache.cached(tenant, portal);
    }

    /**
     * The tenant's portal read from Postgres now; NOT_FOUND when it is not registered in this
     * tenant, UNAVAILABLE when Postgres does not answer within {@code rcm.database-timeout}.
     */
    public Uni<Endpoint> load(String tenant, String portal, String notFoundMessage) {
        return bounded(Panache.withSession(() -> repository.findByPortal(tenant, portal)), "; no credential was released")
                .onItem().ifNull().failWith(() -> BrokerException.notFound("PORTAL_NOT_FOUND", notFoundMessage))
                .map(this::snapshot);
    }

    /**
     * Creates the portal, or updates its name and type (and its config, when one is given).
     * FAILED_PRECONDITION when the new config holds credentials and the portal has a secret:
     * plaintext never comes back beside a stored secret.
     *
     * @return true when it was created
     */
    public Uni<Boolean> register(String tenant, String portal, String name, String portalType, String configJson) {
        CacheInvalidationBus.Notice notice = cache.notice(tenant, portal);
        return bounded(Panache.withTransaction(() -> Panache.getSession().chain(session -> session
                        .createNativeQuery(UPSERT, Boolean.class)
                        .setParameter(1, tenant)
                        .setParameter(2, portal)
                        .setParameter(3, name)
                        .setParameter(4, portalType)
                        .setParameter(5, configJson)
                        .getSingleResultOrNull())
                        .call(created -> created == null ? Uni.createFrom().voidItem() : send(notice))), "; retry")
                .onItem().ifNull().failWith(() -> BrokerException.failedPrecondition("SECRET_ALREADY_STORED",
                        "portal " + portal + " has credentials in the secret store; legacy_config_json may not hold"
                                + " credentials (store them with StoreCredentials)"))
                .invoke(() -> cache.dropHere(tenant, portal));
    }

    /** The current time at the database's precision, for values that are compared later. */
    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * Claims the endpoint for a change (store, rotate or delete), before anything is written to
     * the secret store: one change at a time per portal. Fails ABORTED while another change
     * holds a claim younger than {@code lease}, or when the row's state changed since it was
     * read. A claim whose update commits only after {@code rcm.database-timeout} (the caller
     * was told UNAVAILABLE) is nobody's: it lapses after {@code lease}.
     *
     * @return the claim's time, which the change's later steps present
     */
    public Uni<Instant> claim(Endpoint endpoint, Duration lease) {
        return claim(endpoint, lease, null);
    }

    /**
     * {@link #claim(Endpoint, Duration)} for a worker-driven rotation, whose claim holds until
     * {@code expiresAt} rather than for the lease.
     */
    public Uni<Instant> claim(Endpoint endpoint, Duration lease, Instant expiresAt) {
        Instant at = now();
        if (endpoint.rotationInProgress(at, lease)) {
            return Uni.createFrom().failure(changeInProgress(endpoint.portalId()));
        }
        return conditional(endpoint, () -> repository.claim(endpoint.id(), endpoint.secretVersion(),
                        endpoint.rotationStatus().dbValue(), endpoint.pendingVersionId(), at, at.minus(lease), expiresAt))
                .replaceWith(at);
    }

    /**
     * Gives back a claim whose change wrote nothing to the secret store, restoring the rotation
     * status it found (a lapsed claim it took over comes back as failed); best effort: an
     * unreleased claim lapses.
     */
    public Uni<Void> releaseClaim(Endpoint endpoint, Instant claim) {
        RotationState found = endpoint.rotationStatus() == RotationState.PENDING ? RotationState.FAILED : endpoint.rotationStatus();
        return conditional(endpoint, () -> repository.releaseClaim(endpoint.id(), claim, found.dbValue()))
                .onFailure().invoke(e -> LOG.warnf("Claim on endpoint %d not released (%s); it lapses",
                        endpoint.id(), e.getClass().getSimpleName()))
                .onFailure().recoverWithNull();
    }

    /**
     * The store claimed at {@code claim} wrote {@code versionId} but could not record it:
     * kept as the pending version of a failed change, for the next Get or Rotate to reconcile;
     * best effort (else the claim lapses).
     */
    public Uni<Void> markUnconfirmed(Endpoint endpoint, Instant claim, String versionId) {
        return change(endpoint, () -> repository.markUnconfirmed(endpoint.id(), claim, versionId))
                .onFailure().invoke(e -> LOG.warnf("Unconfirmed write of endpoint %d not recorded (%s); its claim lapses",
                        endpoint.id(), e.getClass().getSimpleName()))
                .onFailure().recoverWithNull();
    }

    /** The store claimed at {@code claim} made {@code versionId} of {@code arn} current; returns the endpoint as it is now. */
    public Uni<Endpoint> markStored(Endpoint endpoint, Instant claim, SecretArn arn, String versionId) {
        Instant at = now();
        return change(endpoint, () -> repository.markStored(endpoint.id(), claim, arn.value(), versionId, at))
                .replaceWith(() -> endpoint.withCurrent(arn, versionId, at));
    }

    public Uni<Void> markPending(Endpoint endpoint, Instant claim, String pendingVersionId) {
        return change(endpoint, () -> repository.markPending(endpoint.id(), claim, pendingVersionId));
    }

    /**
     * The pending version is current now: for the rotation that holds the claim made at
     * {@code claim}, or, when reconciling, for the unfinished change the endpoint shows
     * ({@code claim} = its {@code rotationStartedAt}). Returns the endpoint as it is now.
     */
    public Uni<Endpoint> markPromoted(Endpoint endpoint, Instant claim, String pendingVersionId) {
        Instant at = now();
        return change(endpoint, () -> repository.markPromoted(endpoint.id(), claim, pendingVersionId, at))
                .replaceWith(() -> endpoint.withCurrent(endpoint.secret(), pendingVersionId, at));
    }

    public Uni<Void> markRotationFailed(Endpoint endpoint, Instant claim) {
        return change(endpoint, () -> repository.markRotationFailed(endpoint.id(), claim));
    }

    public Uni<Void> abandonPending(Endpoint endpoint, String pendingVersionId) {
        return change(endpoint, () -> repository.abandonPending(endpoint.id(), pendingVersionId));
    }

    public Uni<Void> expireClaim(Endpoint endpoint) {
        return change(endpoint, () -> repository.expireClaim(endpoint.id(), endpoint.rotationStartedAt()));
    }

    public Uni<Void> markDeleted(Endpoint endpoint, Instant claim) {
        return change(endpoint, () -> repository.markDeleted(endpoint.id(), claim));
    }

    /** The migration claimed at {@code claim} wrote and verified {@code versionId} of {@code arn}. */
    public Uni<Void> markMigrated(Endpoint endpoint, Instant claim, SecretArn arn, String versionId) {
        return change(endpoint, () -> repository.markMigrated(endpoint.id(), claim, arn.value(), versionId, now()));
    }

    /** Removes a migrated portal's plaintext copy; ABORTED when the secret changed since it was read. */
    public Uni<Void> purgeLegacyCredentials(Endpoint endpoint) {
        return change(endpoint, () -> repository.purgeLegacyCredentials(endpoint.id(), endpoint.secretVersion()));
    }

    /** Removes the plaintext credentials of a portal that has no secret; ABORTED when it has one meanwhile. */
    public Uni<Void> deleteLegacyCredentials(Endpoint endpoint) {
        return change(endpoint, () -> repository.deleteLegacyCredentials(endpoint.id()));
    }

    /** ABORTED: another store, rotation or delete holds the portal, or changed it meanwhile. */
    public static BrokerException changeInProgress(String portal) {
        return BrokerException.inProgress("CHANGE_IN_PROGRESS", "portal " + portal + " is being changed by another request; retry");
    }

    /**
     * Runs one conditional update that readers see ({@link #conditional}) and drops the cached
     * row everywhere: the notice goes in the update's transaction, so that no replica can miss
     * a change that committed while it was listening.
     */
    private Uni<Void> change(Endpoint endpoint, Supplier<Uni<Integer>> update) {
        return notified(endpoint, update, changed -> changed == 1)
                .chain(changed -> changed == 1 ? Uni.createFrom().voidItem()
                        : Uni.createFrom().failure(changeInProgress(endpoint.portalId())));
    }

    /**
     * Runs {@code update} in a transaction that also tells every replica to drop the portal
     * when {@code changed} says it changed the row, and drops it here once committed. Bounded
     * by {@code rcm.database-timeout}.
     */
    <T> Uni<T> notified(Endpoint endpoint, Supplier<Uni<T>> update, Predicate<T> changed) {
        CacheInvalidationBus.Notice notice = cache.notice(endpoint.tenantId(), endpoint.portalId());
        return bounded(Panache.withTransaction(() -> update.get()
                        .call(result -> changed.test(result) ? send(notice) : Uni.createFrom().voidItem())), "; retry")
                .invoke(() -> cache.dropHere(endpoint.tenantId(), endpoint.portalId()));
    }

    /** {@code pg_notify} in the current transaction: delivered to every listening replica if, and when, it commits. */
    private static Uni<Void> send(CacheInvalidationBus.Notice notice) {
        return Panache.getSession().chain(session -> session
                        .createNativeQuery("SELECT count(*) FROM (SELECT pg_notify(?1, ?2)) AS sent", Long.class)
                        .setParameter(1, notice.channel())
                        .setParameter(2, notice.payload())
                        .getSingleResult())
                .replaceWithVoid();
    }

    /**
     * Runs one conditional update. When the row had moved on (another writer won), fails
     * ABORTED: the caller may retry. Bounded by {@code rcm.database-timeout}, so that every step
     * of a change ends well within its claim's lease: a change never acts on a claim that
     * another request may already have taken over. Claims and their release go no further:
     * readers of cached rows ignore a live claim, and writers read the row afresh.
     */
    private Uni<Void> conditional(Endpoint endpoint, Supplier<Uni<Integer>> update) {
        return bounded(Panache.withTransaction(update), "; retry")
                .chain(changed -> changed == 1 ? Uni.createFrom().voidItem()
                        : Uni.createFrom().failure(changeInProgress(endpoint.portalId())));
    }

    /** UNAVAILABLE when Postgres does not answer within {@code rcm.database-timeout}. */
    private <T> Uni<T> bounded(Uni<T> query, String consequence) {
        return VertxContexts.within(query, timeout, () -> BrokerException.unavailable("DATABASE_UNAVAILABLE",
                "the database did not answer in time" + consequence, null));
    }

    private Endpoint snapshot(IntegrationEndpoint row) {
        SecretArn secret = null;
        boolean invalid = false;
        if (row.secretArn != null) {
            try {
                secret = names.parse(row.secretArn, row.tenantId, row.portalId);
            } catch (IllegalArgumentException e) {
                LOG.warnf("Endpoint %d refers to a secret outside its prefix: %s", row.id, e.getMessage());
                invalid = true;
            }
        }
        return new Endpoint(row.id, row.tenantId, row.portalId, secret, invalid, row.secretVersion,
                row.secretVersionId, row.pendingVersionId, row.rotationStartedAt, row.lastRotatedAt,
                RotationState.fromDb(row.rotationStatus), LegacyConfig.readableCredentials(row.id, row.config),
                LegacyState.fromDb(row.legacyMigration), row.rotationExpiresAt, row.loginFailures, row.pausedAt != null);
    }
}
