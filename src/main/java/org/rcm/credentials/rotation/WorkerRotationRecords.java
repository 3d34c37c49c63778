package org.rcm.credentials.rotation;

import static org.rcm.credentials.reactive.Timestamps.utc;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.reactive.VertxContexts;

/**
 * Worker-driven rotations ({@code worker_rotation}): who began one, what it wrote, until when
 * it holds, and how it ended. Ending one is a conditional update on its state, so that of a
 * worker's Complete and the job's expiry exactly one wins; a failure's notification is queued
 * in the same statement.
 */
@ApplicationScoped
public class WorkerRotationRecords {

    /** A rotation as recorded. */
    public record Rotation(UUID id, long endpointId, String tenantId, String portalId, String startedBy,
            Instant claimedAt, String pendingVersionId, long pendingVersion, Instant expiresAt, String state,
            Long resultVersion, Instant resultAt) {
    }

    private static final String COLUMNS = """
            r.rotation_id, r.endpoint_id, r.tenant_id, e.portal_id, r.started_by, r.claimed_at, r.pending_version_id,
            r.pending_version, r.expires_at, r.state, r.result_version, r.result_at""";
    /** One statement, so atomic: the rotation ends, and its notification is queued, or neither. */
    private static final String FAIL = """
            WITH ended AS (
                UPDATE worker_rotation SET state = $2, failure_reason = $3, result_version = $4, completed_at = $5
                 WHERE rotation_id = $1 AND state = 'pending'
                RETURNING endpoint_id, tenant_id),
            queued AS (
                INSERT INTO notification_outbox (tenant_id, portal_id, kind, recipients, created_at, next_attempt_at)
                SELECT ended.tenant_id, e.portal_id, 'rotation_' || $2, s.notification_emails, $5, $5
                  FROM ended JOIN integration_endpoint e ON e.id = ended.endpoint_id
                  JOIN credential_rotation_schedule s ON s.endpoint_id = ended.endpoint_id
                 WHERE $6 AND cardinality(s.notification_emails) > 0
                RETURNING id)
            SELECT count(*) FROM ended""";

    private final Pool pool;
    private final Duration timeout;

    public WorkerRotationRecords(Pool pool, BrokerConfig config) {
        this.pool = pool;
        this.timeout = config.databaseTimeout();
    }

    /** Records a rotation begun under the endpoint's claim; ABORTED when the portal has a pending one already. */
    public Uni<Void> insert(UUID id, long endpointId, String tenant, String startedBy, String role, Instant claimedAt,
            long pendingVersion, String idempotencyKey, Instant expiresAt) {
        return bounded(pool.preparedQuery("""
                        INSERT INTO worker_rotation (rotation_id, endpoint_id, tenant_id, started_by, started_role, claimed_at,
                                                     pending_version, idempotency_key, expires_at)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                        ON CONFLICT DO NOTHING""")
                .execute(Tuple.tuple().addValue(id).addValue(endpointId).addValue(tenant).addValue(startedBy).addValue(role)
                        .addValue(utc(claimedAt)).addValue(pendingVersion)
                        .addValue(idempotencyKey == null || idempotencyKey.isEmpty() ? null : idempotencyKey)
                        .addValue(utc(expiresAt))))
                .invoke(rows -> {
                    if (rows.rowCount() != 1) {
                        throw BrokerException.inProgress("ROTATION_IN_PROGRESS",
                                "another rotation of this portal is in progress; retry later");
                    }
                })
                .replaceWithVoid();
    }

    /** The rotation wrote its pending version. */
    public Uni<Void> wrote(UUID id, String pendingVersionId) {
        return bounded(pool.preparedQuery("UPDATE worker_rotation SET pending_version_id = $2 WHERE rotation_id = $1")
                .execute(Tuple.of(id, pendingVersionId)))
                .replaceWithVoid();
    }

    /** Forgets a rotation that wrote nothing. */
    public Uni<Void> discard(UUID id) {
        return bounded(pool.preparedQuery("DELETE FROM worker_rotation WHERE rotation_id = $1 AND pending_version_id IS NULL")
                .execute(Tuple.of(id)))
                .replaceWithVoid();
    }

    /** The tenant's rotation, or null. */
    public Uni<Rotation> find(String tenant, UUID id) {
        return one(pool.preparedQuery("SELECT " + COLUMNS
                        + " FROM worker_rotation r JOIN integration_endpoint e ON e.id = r.endpoint_id"
                        + " WHERE r.tenant_id = $1 AND r.rotation_id = $2")
                .execute(Tuple.of(tenant, id)));
    }

    /** The portal's rotation begun with this idempotency key, or null. */
    public Uni<Rotation> findByKey(long endpointId, String idempotencyKey) {
        return one(pool.preparedQuery("SELECT " + COLUMNS
                        + " FROM worker_rotation r JOIN integration_endpoint e ON e.id = r.endpoint_id"
                        + " WHERE r.endpoint_id = $1 AND r.idempotency_key = $2")
                .execute(Tuple.of(endpointId, idempotencyKey)));
    }

    /** Pending rotations whose time ran out before {@code now}, at most {@code limit}. */
    public Uni<List<Rotation>> expired(Instant now, int limit) {
        return bounded(pool.preparedQuery("SELECT " + COLUMNS
                        + " FROM worker_rotation r JOIN integration_endpoint e ON e.id = r.endpoint_id"
                        + " WHERE r.state = 'pending' AND r.expires_at < $1 ORDER BY r.expires_at LIMIT $2")
                .execute(Tuple.of(utc(now), limit)))
                .map(WorkerRotationRecords::all);
    }

    /** Ends a pending rotation as a success; false when it had ended already. */
    public Uni<Boolean> succeeded(UUID id, long version, Instant at) {
        return bounded(pool.preparedQuery("UPDATE worker_rotation SET state = 'succeeded', result_version = $2,"
                        + " result_at = $3, completed_at = $3 WHERE rotation_id = $1 AND state = 'pending'")
                .execute(Tuple.of(id, version, utc(at))))
                .map(rows -> rows.rowCount() == 1);
    }

    /**
     * Ends a pending rotation as {@code failed} or {@code expired}, queuing the notification of
     * the portal's schedule addresses when {@code notify}; false when it had ended already.
     */
    public Uni<Boolean> failed(UUID id, String state, String reason, long version, Instant at, boolean notify) {
        return bounded(pool.preparedQuery(FAIL)
                        .execute(Tuple.tuple().addValue(id).addValue(state).addValue(reason).addValue(version)
                                .addValue(utc(at)).addValue(notify)))
                .map(rows -> rows.iterator().next().getLong(0) == 1);
    }

    private Uni<Rotation> one(Uni<RowSet<Row>> query) {
        return bounded(query).map(rows -> rows.iterator().hasNext() ? rotation(rows.iterator().next()) : null);
    }

    private static List<Rotation> all(RowSet<Row> rows) {
        List<Rotation> all = new ArrayList<>();
        rows.forEach(row -> all.add(rotation(row)));
        return all;
    }

    private static Rotation rotation(Row row) {
        return new Rotation(row.getUUID(0), row.getLong(1), row.getString(2), row.getString(3), row.getString(4),
                row.getOffsetDateTime(5).toInstant(), row.getString(6), row.getLong(7), row.getOffsetDateTime(8).toInstant(),
                row.getString(9), row.getLong(10), row.getOffsetDateTime(11) == null ? null : row.getOffsetDateTime(11).toInstant());
    }


    private <T> Uni<T> bounded(Uni<T> query) {
        return VertxContexts.database(query, timeout);
    }
}
