package org.rcm.credentials.audit;

import static org.rcm.credentials.reactive.Timestamps.utc;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.metrics.BrokerMetrics;
import org.rcm.credentials.reactive.VertxContexts;

/**
 * The seed's "unusual access patterns": per tenant, failed retrievals (GetCredentials,
 * GenerateTotp) and failed logins (ReportLoginOutcome) in a sliding window, counted from the
 * access log itself through its {@code (tenant_id, accessed_at)} index, so that every
 * replica's failures count. A failure that takes the count past the threshold is a burst:
 * flagged on its row and counted ({@code rcm_failure_bursts_total}, by tenant for the first
 * {@value BrokerMetrics#MAX_TENANT_LABELS} tenants a replica sees, {@code other} after).
 */
@ApplicationScoped
public class FailureBursts {

    /** The access types whose failures count. */
    static final Set<AccessType> COUNTED = Set.of(AccessType.RETRIEVE, AccessType.TOTP, AccessType.LOGIN_OUTCOME);
    private static final String COUNT = """
            SELECT count(*) FROM credential_access_log
             WHERE tenant_id = $1 AND accessed_at > $2 AND NOT success
               AND access_type IN ('retrieve', 'totp', 'login_outcome')""";

    private final Pool pool;
    private final BrokerMetrics metrics;
    private final int threshold;
    private final Duration window;
    private final Duration timeout;

    public FailureBursts(Pool pool, BrokerMetrics metrics, BrokerConfig config) {
        this.pool = pool;
        this.metrics = metrics;
        this.threshold = config.audit().failureBurst().threshold();
        this.window = config.audit().failureBurst().window();
        this.timeout = config.databaseTimeout();
    }

    /** Whether {@code event} counts toward bursts: a failed retrieval or login. */
    public static boolean counts(AuditEvent event) {
        return !event.success() && COUNTED.contains(event.accessType());
    }

    /**
     * {@code event}, flagged when it takes its tenant past the threshold; unflagged when the
     * count cannot be read (the row is written all the same).
     */
    public Uni<AuditEvent> flag(AuditEvent event) {
        Instant since = event.accessedAt().minus(window);
        return VertxContexts.database(pool.preparedQuery(COUNT)
                        .execute(Tuple.of(event.tenantId(), utc(since))), timeout)
                .map(rows -> rows.iterator().next().getLong(0) + 1 > threshold)
                .map(burst -> {
                    if (!burst) {
                        return event;
                    }
                    metrics.failureBurst(event.tenantId());
                    return event.inFailureBurst();
                })
                .onFailure().recoverWithItem(event);
    }
}
