package org.rcm.credentials.rotation;

import static org.rcm.credentials.reactive.Timestamps.utc;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;
import org.rcm.credentials.config.BrokerClock;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.metrics.BrokerMetrics;
import org.rcm.credentials.reactive.VertxContexts;

/**
 * The due-rotation job, every {@code rcm.rotation.job-interval} on every replica: it expires
 * worker-driven rotations nobody completed, reminds of due rotations that are not left to
 * workers ({@code auto_rotate} off), escalates overdue ones ({@code rcm.rotation.overdue-after}
 * past due), and sends the queued e-mails. It never changes a payer password by itself.
 * Cluster-safe: each step is a conditional update that exactly one replica wins per portal
 * (rows locked, re-checked after the lock), with its e-mail queued in the same statement.
 */
@ApplicationScoped
public class RotationJob {

    /** What one run did. */
    public record Run(int expired, int reminded, int escalated, int mailed) {
    }

    private static final Logger LOG = Logger.getLogger(RotationJob.class);
    private static final int EXPIRE_BATCH = 100;
    /** Reminds once of each due rotation that is not left to workers. */
    private static final String REMIND = marking("reminded_at", "s.next_rotation_at <= $1 AND NOT s.auto_rotate",
            "rotation_due");
    /** Escalates once each rotation overdue by $3 seconds. */
    private static final String ESCALATE = marking("escalated_at",
            "s.next_rotation_at + make_interval(secs => $3) <= $1", "rotation_overdue");

    private final Pool pool;
    private final Vertx vertx;
    private final WorkerRotationRecords records;
    private final WorkerRotation rotations;
    private final Notifications notifications;
    private final BrokerMetrics metrics;
    private final BrokerClock clock;
    private final Duration overdueAfter;

    public RotationJob(Pool pool, Vertx vertx, WorkerRotationRecords records, WorkerRotation rotations, Notifications notifications,
            BrokerMetrics metrics, BrokerClock clock, BrokerConfig config) {
        this.pool = pool;
        this.vertx = vertx;
        this.records = records;
        this.rotations = rotations;
        this.notifications = notifications;
        this.metrics = metrics;
        this.clock = clock;
        this.overdueAfter = config.rotation().overdueAfter();
    }

    @Scheduled(every = "${rcm.rotation.job-interval}", delayed = "${rcm.rotation.job-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return run()
                .invoke(run -> {
                    if (run.expired() + run.reminded() + run.escalated() + run.mailed() > 0) {
                        LOG.infof("Rotation job: %d expired, %d reminded, %d escalated, %d e-mailed",
                                run.expired(), run.reminded(), run.escalated(), run.mailed());
                    }
                })
                .onFailure().invoke(e -> LOG.warnf("Rotation job failed (%s); it runs again at its next time",
                        e.getClass().getSimpleName()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** One run of the job, now by the broker's clock, on a Vert.x context of its own (callable from any thread). */
    public Uni<Run> run() {
        return VertxContexts.onNewContext(vertx, this::runHere);
    }

    private Uni<Run> runHere() {
        Instant now = clock.now();
        return expire(now).chain(expired -> marked(REMIND, now, null).chain(reminded -> marked(ESCALATE, now, overdueAfter)
                .chain(escalated -> notifications.drain().map(mailed -> {
                    metrics.rotationJob("run", 1);
                    metrics.rotationJob("expired", expired);
                    metrics.rotationJob("reminded", reminded);
                    metrics.rotationJob("escalated", escalated);
                    return new Run(expired, reminded, escalated, mailed);
                }))));
    }

    /** Ends the worker rotations whose time ran out; each on its own, so one failure stops none of the others. */
    private Uni<Integer> expire(Instant now) {
        return records.expired(now, EXPIRE_BATCH)
                .chain(expired -> Multi.createFrom().iterable(expired)
                        .onItem().transformToUniAndConcatenate(rotation -> rotations.expire(rotation)
                                .replaceWith(1)
                                .onFailure().invoke(e -> LOG.warnf("Expiry of a worker rotation failed (%s); next run",
                                        e.getClass().getSimpleName()))
                                .onFailure().recoverWithItem(0))
                        .collect().with(java.util.stream.Collectors.summingInt(Integer::intValue)));
    }

    /**
     * One statement, so that exactly one replica marks each schedule (once per due date: the
     * mark is later than {@code next_rotation_at} afterwards) and queues its e-mail ($2: e-mail
     * is on) with it; answers how many it marked. $1 is now.
     */
    private static String marking(String column, String condition, String kind) {
        return """
                WITH marked AS (
                    UPDATE credential_rotation_schedule s SET %1$s = $1
                      FROM integration_endpoint e
                     WHERE e.id = s.endpoint_id AND %2$s
                       AND (s.%1$s IS NULL OR s.%1$s < s.next_rotation_at)
                    RETURNING e.tenant_id, e.portal_id, s.notification_emails),
                queued AS (
                    INSERT INTO notification_outbox (tenant_id, portal_id, kind, recipients, created_at, next_attempt_at)
                    SELECT tenant_id, portal_id, '%3$s', notification_emails, $1, $1 FROM marked
                     WHERE $2 AND cardinality(notification_emails) > 0
                    RETURNING id)
                SELECT count(*) FROM marked""".formatted(column, condition, kind);
    }

    /** Reminds of due rotations, or (with {@code overdueAfter}) escalates overdue ones; answers how many. */
    private Uni<Integer> marked(String sql, Instant now, Duration overdueAfter) {
        Tuple parameters = Tuple.of(utc(now), notifications.enabled());
        if (overdueAfter != null) {
            parameters.addValue((double) overdueAfter.toSeconds());
        }
        return pool.preparedQuery(sql).execute(parameters).map(rows -> (int) rows.iterator().next().getLong(0).longValue());
    }
}
