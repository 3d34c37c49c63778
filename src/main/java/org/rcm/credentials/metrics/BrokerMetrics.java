package org.rcm.credentials.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * Every metric the broker publishes, in one place. Tags are low-cardinality (access type,
 * outcome, result, backend, reason); never a tenant, a portal id or an ARN. Prometheus names
 * get {@code _total} on counters: {@code rcm_credential_access_total},
 * {@code rcm_secret_fetch_total}, {@code rcm_cache_lookups_total}, {@code rcm_rotation_total},
 * {@code rcm_legacy_fallback_total}, {@code rcm_audit_rows_total}, {@code rcm_audit_batch_failures_total}, ...
 */
@ApplicationScoped
public class BrokerMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> accessSucceeded = new ConcurrentHashMap<>();
    private final Map<String, Counter> accessFailed = new ConcurrentHashMap<>();
    private final Map<String, Counter> cacheLookups = new ConcurrentHashMap<>();
    private final Map<String, Counter> byTags = new ConcurrentHashMap<>();
    private final Set<String> burstTenants = ConcurrentHashMap.newKeySet();
    private final Counter auditRowsWritten;
    private final Counter auditRowsFailed;
    private final Counter auditRowsDropped;
    private final Counter auditRowsRejected;
    private final DistributionSummary auditBatchSize;

    public BrokerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.auditRowsWritten = auditRows("written", "Access-log rows committed");
        this.auditRowsFailed = auditRows("failed", "Access-log rows of batch writes that failed or timed out (the rows are retried)");
        this.auditRowsDropped = auditRows("dropped", "Access-log rows dropped from a full queue (best-effort mode)");
        this.auditRowsRejected = auditRows("rejected", "Access-log rows the database refused on their own (a data error), dropped");
        this.auditBatchSize = DistributionSummary.builder("rcm.audit.batch.size")
                .description("Rows per access-log INSERT").register(registry);
        // Alerts use increase(), which misses the first event of a counter that did not exist:
        // the counters they watch exist at zero from the start.
        for (String result : new String[] {"hit", "miss", "stale"}) {
            cacheLookup(result, 0);
        }
        rotation("success", 0);
        rotation("failed", 0);
        unexpectedIp("deny", 0);
        unexpectedIp("flag", 0);
        for (String reason : new String[] {"error", "timeout", "data"}) {
            auditBatchFailures(reason, 0);
        }
        for (String backend : new String[] {"ssm", "secretsmanager"}) {
            secretFetch(backend, "success", 0);
        }
        revokedCertificate(0);
    }

    /** Registers the access counters of an access type at zero, so that alerts see its first event. */
    public void declareAccessType(String accessType) {
        access(accessType, true, 0);
        access(accessType, false, 0);
        accessWithoutTenant(accessType, 0);
    }

    /** An audited call of {@code accessType} (as the access log names it) ended; {@code success} as its audit row says. */
    public void access(String accessType, boolean success) {
        access(accessType, success, 1);
    }

    private void access(String accessType, boolean success, int n) {
        (success ? accessSucceeded : accessFailed)
                .computeIfAbsent(accessType, type -> accessCounter(type, success ? "success" : "failure"))
                .increment(n);
    }

    /** An audited call came with a certificate that maps to no tenant, so it has no audit row. */
    public void accessWithoutTenant(String accessType) {
        accessWithoutTenant(accessType, 1);
    }

    private void accessWithoutTenant(String accessType, int n) {
        counter("rcm.access.unauthenticated", "Calls refused because the certificate maps to no tenant",
                "access_type", accessType).increment(n);
    }

    /** A secret-cache lookup: {@code hit}, {@code miss}, or {@code stale} (served during a store outage). */
    public void cacheLookup(String result) {
        cacheLookup(result, 1);
    }

    private void cacheLookup(String result, int n) {
        cacheLookups.computeIfAbsent(result, r -> Counter.builder("rcm.cache.lookups")
                .tag("cache", "secret-values").tag("result", r)
                .description("Secret cache lookups").register(registry)).increment(n);
    }

    /** A read from the secret store: {@code success} or the failure reason. */
    public void secretFetch(String backend, String outcome) {
        secretFetch(backend, outcome, 1);
    }

    private void secretFetch(String backend, String outcome, int n) {
        counter("rcm.secret.fetch", "Reads from the secret store", "backend", backend,
                "outcome", outcome.toLowerCase(Locale.ROOT)).increment(n);
    }

    /**
     * Credentials served from the legacy {@code config.credentials} (dual read), by case:
     * {@code not_migrated} (no secret stored) or {@code store_unavailable} (migrated, not purged,
     * the store failed transiently with nothing cached).
     */
    public void legacyFallback(String kind) {
        counter("rcm.legacy.fallback", "Credentials served from legacy endpoint config",
                "case", kind.toLowerCase(Locale.ROOT)).increment();
    }

    /** A call refused because its client certificate was revoked. */
    public void revokedCertificate() {
        revokedCertificate(1);
    }

    private void revokedCertificate(int n) {
        counter("rcm.access.revoked", "Calls refused because the client certificate was revoked").increment(n);
    }

    /** A change of the client CRL files that could not be loaded (the previous lists stay in force). */
    public void crlReloadFailed() {
        counter("rcm.crl.reload.failures", "Client CRL file changes that could not be loaded").increment();
    }

    /** One portal of a legacy migration or purge: {@code migrated}, {@code purged} or {@code failed}. */
    public void legacyMigration(String outcome) {
        counter("rcm.legacy.migration", "Portals migrated out of or purged from legacy endpoint config",
                "outcome", outcome).increment();
    }

    /** A rotation ended: {@code success} or {@code failed}. */
    public void rotation(String outcome) {
        rotation(outcome, 1);
    }

    private void rotation(String outcome, int n) {
        counter("rcm.rotation", "Credential rotations", "outcome", outcome).increment(n);
    }

    /** What the rotation job did: {@code run} (one run), {@code expired}, {@code reminded} or {@code escalated}, {@code n} times. */
    public void rotationJob(String action, int n) {
        counter("rcm.rotation.job", "Rotation job runs, and the worker rotations they expired and due rotations they reminded of or escalated",
                "action", action).increment(n);
    }

    /** How many tenants get a label of their own on {@code rcm_failure_bursts_total}; later ones count as {@code other}. */
    public static final int MAX_TENANT_LABELS = 100;

    /** A failed retrieval or login of {@code tenant} was part of a burst. */
    public void failureBurst(String tenant) {
        String label = burstTenants.size() < MAX_TENANT_LABELS || burstTenants.contains(tenant) ? tenant : "other";
        burstTenants.add(label);
        counter("rcm.failure.bursts", "Failed retrievals and logins beyond the burst threshold, by tenant",
                "tenant", label).increment();
    }

    /** Failed logins paused a credential. */
    public void credentialsPaused() {
        counter("rcm.credentials.paused", "Credentials paused after failed logins reported by workers").increment();
    }

    /** Rotation e-mail events {@code sent} or {@code failed} (to be retried). */
    public void notifications(String outcome, int n) {
        counter("rcm.notifications", "Rotation e-mail events delivered or failed", "outcome", outcome).increment(n);
    }

    /** A call from outside its tenant's allowed address ranges: {@code deny} or {@code flag}. */
    public void unexpectedIp(String action) {
        unexpectedIp(action, 1);
    }

    private void unexpectedIp(String action, int n) {
        counter("rcm.access.unexpected.ip", "Calls from outside the tenant's allowed address ranges",
                "action", action).increment(n);
    }

    public <T> void registerAuditQueue(T writer, ToDoubleFunction<T> depth) {
        Gauge.builder("rcm.audit.queue.depth", writer, depth)
                .description("Access-log rows not written yet: queued, being written, or waiting for a hung write").register(registry);
    }

    public void auditBatchWritten(int rows) {
        auditRowsWritten.increment(rows);
        auditBatchSize.record(rows);
    }

    /**
     * An access-log batch write failed and its rows will be retried: {@code error} (connection or
     * server), {@code timeout} (unanswered in time) or {@code data} (refused for its rows: split).
     */
    public void auditBatchFailed(int rows, String reason) {
        auditRowsFailed.increment(rows);
        auditBatchFailures(reason, 1);
    }

    private void auditBatchFailures(String reason, int n) {
        counter("rcm.audit.batch.failures", "Access-log batch writes that failed, by reason", "reason", reason).increment(n);
    }

    public void auditRowsDropped(int rows) {
        auditRowsDropped.increment(rows);
    }

    /** The audit log's partition management: {@code created} or {@code dropped} (retention) monthly partitions. */
    public void auditPartitions(String action, int n) {
        counter("rcm.audit.partitions", "Monthly access-log partitions created ahead or dropped after the retention period",
                "action", action).increment(n);
    }

    /** The database refused an access-log row on its own; it is dropped. */
    public void auditRowRejected() {
        auditRowsRejected.increment();
    }

    private Counter accessCounter(String accessType, String outcome) {
        return Counter.builder("rcm.credential.access")
                .tag("access_type", accessType).tag("outcome", outcome)
                .description("Audited credential accesses").register(registry);
    }

    private Counter auditRows(String outcome, String description) {
        return Counter.builder("rcm.audit.rows").tag("outcome", outcome).description(description).register(registry);
    }

    private Counter counter(String name, String description, String... tags) {
        return byTags.computeIfAbsent(name + String.join(",", tags),
                k -> Counter.builder(name).tags(tags).description(description).register(registry));
    }
}
