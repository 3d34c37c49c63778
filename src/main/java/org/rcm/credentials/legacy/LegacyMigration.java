package org.rcm.credentials.legacy;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.jboss.logging.Logger;
import org.rcm.credentials.audit.AccessType;
import org.rcm.credentials.audit.AuditEvent;
import org.rcm.credentials.audit.AuditWriter;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.endpoint.Endpoint;
import org.rcm.credentials.endpoint.Endpoints;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.metrics.BrokerMetrics;
import org.rcm.credentials.reactive.VertxContexts;
import org.rcm.credentials.secretstore.SecretArn;
import org.rcm.credentials.secretstore.SecretBackend;
import org.rcm.credentials.secretstore.SecretNames;
import org.rcm.credentials.secretstore.SecretStoreConfig;
import org.rcm.credentials.secretstore.SecretStoreException;
import org.rcm.credentials.secretstore.SecretStores;
import org.rcm.credentials.secretstore.SecretValue;
import org.rcm.credentials.secretstore.SecretVersion;
import org.rcm.credentials.tenant.Caller;

/**
 * The seed's migration out of {@code config.credentials}: migrate (write to the secret store,
 * read back, compare), then purge (read back again, remove the plaintext copy). Both work
 * within the caller's tenant, one page of portals per call in portal order, one portal at a
 * time: an operator pages through a tenant with {@code limit} (see {@code bin/rcmctl migrate}),
 * and the store sees one write at a time, well within its rate limits.
 *
 * <p>A portal is claimed like a Store before anything is written, so that two migrations (or
 * a migration and a Store) never write the same portal at once. A portal that fails is left
 * as it was: a later run writes the same secret name again and finishes it.
 */
@ApplicationScoped
public class LegacyMigration {

    private static final Logger LOG = Logger.getLogger(LegacyMigration.class);

    /** What one call of MigrateLegacyCredentials asks. */
    public record Migrate(boolean dryRun, int limit, SecretBackend backend, String startAfter) {
    }

    /** What it did; {@code lastPortalId} is null when the tenant's portals are done. */
    public record Migrated(int migrated, int skipped, List<String> failedPortalIds, String lastPortalId) {
    }

    /** What one call of PurgeLegacyCredentials asks. */
    public record Purge(boolean dryRun, int limit, String startAfter) {
    }

    /** What it did; {@code lastPortalId} is null when the tenant's portals are done. */
    public record Purged(int purged, int keptUnverified, String lastPortalId) {
    }

    private enum Outcome { MIGRATED, PURGED, KEPT, SKIPPED, FAILED }

    private record PortalOutcome(String portal, Outcome outcome) {
    }

    private final Endpoints endpoints;
    private final LegacyCandidates candidates;
    private final SecretNames names;
    private final SecretStores stores;
    private final AuditWriter audit;
    private final BrokerMetrics metrics;
    private final SecretBackend defaultBackend;
    private final Duration lease;
    private final int concurrency;

    public LegacyMigration(Endpoints endpoints, LegacyCandidates candidates, SecretNames names, SecretStores stores, AuditWriter audit,
            BrokerMetrics metrics, BrokerConfig config, SecretStoreConfig secretStoreConfig) {
        this.endpoints = endpoints;
        this.candidates = candidates;
        this.names = names;
        this.stores = stores;
        this.audit = audit;
        this.metrics = metrics;
        this.defaultBackend = secretStoreConfig.defaultBackend();
        this.lease = config.rotation().lease();
        this.concurrency = config.legacy().concurrency();
    }

    // ----------------------------------------------------------------------------- migrate

    /**
     * Migrates one page: every portal after {@code startAfter} with legacy credentials and no
     * secret, up to {@code limit}. {@code skipped} counts the portals of the page's range that
     * needed nothing, and those another request was changing.
     */
    public Uni<Migrated> migrate(Caller caller, Migrate request) {
        int pageSize = pageSize(request.limit());
        String after = startAfter(request.startAfter());
        SecretBackend backend = request.backend() == null ? defaultBackend : request.backend();
        return candidates.page(caller.tenant(), after, false, pageSize)
                .chain(portals -> {
                    String last = portals.size() == pageSize ? portals.get(portals.size() - 1) : null;
                    return candidates.countNothingToMigrate(caller.tenant(), after, last)
                            .chain(untouched -> each(portals, portal -> migrate(caller, portal, backend, request.dryRun()))
                                    .map(outcomes -> migrated(outcomes, untouched, last)));
                });
    }

    private static Migrated migrated(List<PortalOutcome> outcomes, long untouched, String last) {
        return new Migrated(count(outcomes, Outcome.MIGRATED), (int) untouched + count(outcomes, Outcome.SKIPPED),
                outcomes.stream().filter(o -> o.outcome() == Outcome.FAILED).map(PortalOutcome::portal).sorted().toList(),
                last);
    }

    private Uni<PortalOutcome> migrate(Caller caller, String portal, SecretBackend backend, boolean dryRun) {
        SecretArn target = names.arnFor(caller.tenant(), portal, backend);
        return endpoints.load(caller.tenant(), portal, "portal " + portal + " is no longer registered")
                .chain(endpoint -> {
                    if (!endpoint.legacyOnly()) {
                        return Uni.createFrom().item(Outcome.SKIPPED); // a Store got there first
                    }
                    SecretValue value = endpoint.legacyCredentials().orElseThrow(() -> BrokerException.failedPrecondition(
                            "LEGACY_CREDENTIALS_UNREADABLE", "the legacy credentials are not of the expected fields"));
                    stores.requireFits(value, backend);
                    return dryRun ? Uni.createFrom().item(Outcome.MIGRATED) : migrate(caller, endpoint, value, target);
                })
                .onFailure().recoverWithUni(failure -> failed(caller, portal, target, failure, dryRun))
                .map(outcome -> new PortalOutcome(portal, outcome));
    }

    /**
     * Claims, writes, reads back, records and audits; SKIPPED when another change holds the
     * portal. A failed write or read-back gives the claim back.
     */
    private Uni<Outcome> migrate(Caller caller, Endpoint endpoint, SecretValue value, SecretArn target) {
        return endpoints.claim(endpoint, lease)
                .onFailure(BrokerException.class).recoverWithNull()
                .chain(claim -> claim == null ? Uni.createFrom().item(Outcome.SKIPPED)
                        : writeVerified(target, value)
                                .onFailure().call(() -> endpoints.releaseClaim(endpoint, claim))
                                .call(written -> endpoints.markMigrated(endpoint, claim, written.arn(), written.versionId()))
                                .invoke(() -> metrics.legacyMigration("migrated"))
                                .call(written -> recorded(caller, endpoint.portalId(), written.arn(), null))
                                .replaceWith(Outcome.MIGRATED));
    }

    /** Writes {@code value} and reads the written version back: only an equal copy counts. */
    private Uni<SecretVersion> writeVerified(SecretArn target, SecretValue value) {
        return stores.of(target).put(target, value, null)
                .call(written -> stores.of(written.arn()).get(written.arn(), written.versionId())
                        .invoke(readBack -> {
                            if (!readBack.equals(value)) {
                                throw BrokerException.failedPrecondition("MIGRATION_NOT_VERIFIED",
                                        "the secret store's copy differs from the legacy credentials");
                            }
                        }));
    }

    // ----------------------------------------------------------------------------- purge

    /**
     * Purges one page: every portal after {@code startAfter} with legacy credentials, up to
     * {@code limit}; a migrated one loses them when its secret still reads back equal, the
     * others are kept.
     */
    public Uni<Purged> purge(Caller caller, Purge request) {
        int pageSize = pageSize(request.limit());
        return candidates.page(caller.tenant(), startAfter(request.startAfter()), true, pageSize)
                .chain(portals -> each(portals, portal -> purge(caller, portal, request.dryRun()))
                        .map(outcomes -> new Purged(count(outcomes, Outcome.PURGED), count(outcomes, Outcome.KEPT),
                                portals.size() == pageSize ? portals.get(portals.size() - 1) : null)));
    }

    private Uni<PortalOutcome> purge(Caller caller, String portal, boolean dryRun) {
        return endpoints.load(caller.tenant(), portal, "portal " + portal + " is no longer registered")
                .chain(endpoint -> purgeable(endpoint)
                        .chain(equal -> !equal ? Uni.createFrom().item(Outcome.KEPT)
                                : dryRun ? Uni.createFrom().item(Outcome.PURGED)
                                : endpoints.purgeLegacyCredentials(endpoint)
                                        .invoke(() -> metrics.legacyMigration("purged"))
                                        .call(() -> recorded(caller, portal, endpoint.secret(), null))
                                        .replaceWith(Outcome.PURGED)))
                .onFailure(BrokerException.class).recoverWithUni(failure -> keptOrFailed((BrokerException) failure))
                .map(outcome -> new PortalOutcome(portal, outcome));
    }

    /** Whether the portal's secret, read afresh (not from the cache), equals its legacy copy. */
    private Uni<Boolean> purgeable(Endpoint endpoint) {
        if (endpoint.legacyCredentials().isEmpty() || !endpoint.legacyFallbackAllowed() || !endpoint.hasSecret()) {
            return Uni.createFrom().item(false);
        }
        SecretArn arn = endpoint.secret();
        return stores.of(arn).get(arn, endpoint.secretVersionId())
                .map(value -> value.equals(endpoint.legacyCredentials().get()))
                .onFailure(SecretStoreException.class).recoverWithUni(failure -> {
                    LOG.warnf("Legacy credentials of endpoint %d kept: %s", endpoint.id(),
                            ((SecretStoreException) failure).callerMessage());
                    return Uni.createFrom().item(false);
                });
    }

    /** A purge that lost a race (the portal changed meanwhile) keeps the copy; an unavailable database or audit fails the call. */
    private static Uni<Outcome> keptOrFailed(BrokerException failure) {
        return failure.kind() == BrokerException.Kind.IN_PROGRESS ? Uni.createFrom().item(Outcome.KEPT)
                : Uni.createFrom().failure(failure);
    }

    // ----------------------------------------------------------------------------- helpers

    /**
     * A portal that failed: counted, logged without secrets, and audited (unless a dry run).
     * An unavailable database or audit log fails the call instead: it would fail every portal
     * after this one, and a migration is not done without its rows.
     */
    private Uni<Outcome> failed(Caller caller, String portal, SecretArn target, Throwable failure, boolean dryRun) {
        if (failure instanceof BrokerException e && e.kind() == BrokerException.Kind.UNAVAILABLE
                && !(e.getCause() instanceof SecretStoreException)) {
            return Uni.createFrom().failure(failure);
        }
        String reason = failure instanceof BrokerException e ? e.getMessage()
                : failure instanceof SecretStoreException e ? e.callerMessage() : "internal error";
        LOG.warnf("Legacy credentials of portal %s not migrated: %s", portal, reason);
        if (dryRun) {
            return Uni.createFrom().item(Outcome.FAILED);
        }
        metrics.legacyMigration("failed");
        return recorded(caller, portal, target, reason).replaceWith(Outcome.FAILED);
    }

    /** The portal's own access-log row ({@code migrate}), written before the call answers. */
    private Uni<Void> recorded(Caller caller, String portal, SecretArn secret, String failure) {
        return audit.recorded(new AuditEvent(caller.tenant(), portal, secret == null ? null : secret.value(),
                AccessType.MIGRATE, caller.principal(), caller.ipAddress(), caller.userAgent(), failure == null, failure,
                false, Instant.now()));
    }

    /**
     * {@code work} for every portal, {@code rcm.legacy.concurrency} at a time, each on a Vert.x
     * context (and so a database session) of its own; fails as soon as one fails.
     */
    private Uni<List<PortalOutcome>> each(List<String> portals, Function<String, Uni<PortalOutcome>> work) {
        return Multi.createFrom().iterable(portals)
                .onItem().transformToUni(portal -> VertxContexts.onOwnContext(() -> work.apply(portal)))
                .merge(concurrency)
                .collect().asList();
    }

    private static int pageSize(int limit) {
        if (limit < 0) {
            throw BrokerException.invalidInput("INVALID_LIMIT", "limit must be 0 (no limit) or more");
        }
        return limit == 0 ? Integer.MAX_VALUE : limit;
    }

    private static String startAfter(String portal) {
        return portal == null || portal.isEmpty() ? "" : SecretNames.requireId("start_after", portal);
    }

    private static int count(List<PortalOutcome> outcomes, Outcome outcome) {
        return (int) outcomes.stream().filter(o -> o.outcome() == outcome).count();
    }
}
