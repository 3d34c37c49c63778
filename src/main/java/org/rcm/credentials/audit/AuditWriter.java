package org.rcm.credentials.audit;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.config.BrokerConfig.AuditMode;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.metrics.BrokerMetrics;
import org.rcm.credentials.reactive.VertxContexts;

/**
 * Writes access-log rows with group commit: the rows of concurrent calls are collected in a
 * bounded queue and inserted in one multi-row statement per batch.
 *
 * <p>A batch is sent when it holds {@code batch-size} rows, or when a writer slot is free and
 * its oldest row has waited {@code max-batch-delay}; at most {@code max-in-flight-batches}
 * are written at once. In fail-closed mode (the default) {@link #record} completes when the
 * row's batch has committed, and fails UNAVAILABLE if the database refuses the batch, the
 * queue is full, or the row has not committed within {@code timeout}. It never hangs.
 */
@ApplicationScoped
public class AuditWriter {

    private static final Logger LOG = Logger.getLogger(AuditWriter.class);
    private static final String INSERT = """
            INSERT INTO credential_access_log (tenant_id, portal_id, secret_arn, access_type, access_by,
                ip_address, user_agent, success, error_message, unexpected_ip, accessed_at)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                $6::text[]::inet[], $7::text[], $8::bool[], $9::text[], $10::bool[], $11::timestamptz[])""";

    private final Pool pool;
    private final Vertx vertx;
    private final BrokerMetrics metrics;
    private final AuditMode mode;
    private final int batchSize;
    private final long maxBatchDelayMillis;
    private final int maxInFlight;
    private final int capacity;
    private final Duration timeout;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private int inFlight;
    private boolean timerArmed;

    public AuditWriter(Pool pool, Vertx vertx, BrokerMetrics metrics, BrokerConfig config) {
        this.pool = pool;
        this.vertx = vertx;
        this.metrics = metrics;
        this.mode = config.audit().mode();
        this.batchSize = Math.max(1, config.audit().batchSize());
        this.maxBatchDelayMillis = config.audit().maxBatchDelay().toMillis();
        this.maxInFlight = Math.max(1, config.audit().maxInFlightBatches());
        this.capacity = config.audit().queueCapacity();
        this.timeout = config.audit().timeout();
        metrics.registerAuditQueue(this, AuditWriter::queued);
    }

    /**
     * Records one access. Fail-closed: completes once the row is committed. Best-effort:
     * completes at once; a row that does not fit in the queue is dropped and counted.
     *
     * @return a Uni that fails with an UNAVAILABLE {@link BrokerException} when the row cannot
     *     be made durable in time (fail-closed only)
     */
    public Uni<Void> record(AuditEvent event) {
        if (mode == AuditMode.BEST_EFFORT) {
            if (!enqueue(new Pending(event, null))) {
                metrics.auditRowsDropped(1);
            }
            return Uni.createFrom().voidItem();
        }
        Uni<Void> committed = Uni.createFrom().<Void>emitter(emitter -> {
            if (!enqueue(new Pending(event, emitter))) {
                emitter.fail(unavailable("the audit log is overloaded"));
            }
        }).ifNoItem().after(timeout).failWith(() -> unavailable("the audit log did not confirm the access in time"));
        return VertxContexts.onSubscriberContext(committed);
    }

    /** Rows waiting to be written. */
    public int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    private boolean enqueue(Pending pending) {
        List<List<Pending>> batches;
        lock.lock();
        try {
            if (queue.size() >= capacity) {
                return false;
            }
            queue.add(pending);
            batches = takeBatches(false);
        } finally {
            lock.unlock();
        }
        batches.forEach(this::write);
        return true;
    }

    /** Takes the batches that may be sent now; the caller holds the lock and sends them after releasing it. */
    private List<List<Pending>> takeBatches(boolean delayElapsed) {
        List<List<Pending>> batches = List.of();
        while (inFlight < maxInFlight && !queue.isEmpty()) {
            if (queue.size() < batchSize && maxBatchDelayMillis > 0 && !delayElapsed) {
                armTimer();
                break;
            }
            List<Pending> batch = new ArrayList<>(Math.min(batchSize, queue.size()));
            while (batch.size() < batchSize && !queue.isEmpty()) {
                batch.add(queue.poll());
            }
            if (batches.isEmpty()) {
                batches = new ArrayList<>(2);
            }
            batches.add(batch);
            inFlight++;
        }
        return batches;
    }

    private void armTimer() {
        if (!timerArmed) {
            timerArmed = true;
            vertx.setTimer(maxBatchDelayMillis, id -> flushAfterDelay());
        }
    }

    private void flushAfterDelay() {
        List<List<Pending>> batches;
        lock.lock();
        try {
            timerArmed = false;
            batches = takeBatches(true);
        } finally {
            lock.unlock();
        }
        batches.forEach(this::write);
    }

    private void write(List<Pending> batch) {
        pool.preparedQuery(INSERT)
                .execute(toColumns(batch))
                .subscribe().with(
                        rows -> completed(batch, null),
                        failure -> completed(batch, failure));
    }

    private void completed(List<Pending> batch, Throwable failure) {
        if (failure == null) {
            metrics.auditBatchWritten(batch.size());
        } else {
            metrics.auditBatchFailed(batch.size());
            LOG.warnf("Audit batch of %d rows failed: %s", batch.size(), failure.getClass().getSimpleName());
        }
        for (Pending pending : batch) {
            if (pending.emitter != null) {
                if (failure == null) {
                    pending.emitter.complete(null);
                } else {
                    pending.emitter.fail(unavailable("the audit log is unavailable"));
                }
            }
        }
        List<List<Pending>> next;
        lock.lock();
        try {
            inFlight--;
            next = takeBatches(false);
            if (queue.isEmpty() && inFlight == 0) {
                drained.signalAll();
            }
        } finally {
            lock.unlock();
        }
        next.forEach(this::write);
    }

    /** Waits (bounded) for queued rows to be written when the service stops. */
    @PreDestroy
    void drain() {
        lock.lock();
        try {
            long remaining = TimeUnit.SECONDS.toNanos(5);
            while ((!queue.isEmpty() || inFlight > 0) && remaining > 0) {
                if (!queue.isEmpty() && inFlight < maxInFlight) {
                    List<List<Pending>> batches = takeBatches(true);
                    lock.unlock();
                    try {
                        batches.forEach(this::write);
                    } finally {
                        lock.lock();
                    }
                }
                remaining = drained.awaitNanos(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(100)));
            }
            if (!queue.isEmpty()) {
                LOG.warnf("Stopping with %d audit rows unwritten", queue.size());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    private static Tuple toColumns(List<Pending> batch) {
        int n = batch.size();
        String[] tenant = new String[n];
        String[] portal = new String[n];
        String[] arn = new String[n];
        String[] type = new String[n];
        String[] by = new String[n];
        String[] ip = new String[n];
        String[] agent = new String[n];
        Boolean[] success = new Boolean[n];
        String[] error = new String[n];
        Boolean[] unexpectedIp = new Boolean[n];
        OffsetDateTime[] at = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            AuditEvent e = batch.get(i).event;
            tenant[i] = e.tenantId();
            portal[i] = e.portalId();
            arn[i] = e.secretArn();
            type[i] = e.accessType().dbValue();
            by[i] = e.accessBy();
            ip[i] = e.ipAddress();
            agent[i] = e.userAgent();
            success[i] = e.success();
            error[i] = e.errorMessage();
            unexpectedIp[i] = e.unexpectedIp();
            at[i] = OffsetDateTime.ofInstant(e.accessedAt(), ZoneOffset.UTC);
        }
        return Tuple.tuple(List.of(tenant, portal, arn, type, by, ip, agent, success, error, unexpectedIp, at));
    }

    private static BrokerException unavailable(String message) {
        return BrokerException.unavailable("AUDIT_UNAVAILABLE", message + "; no credential was released", null);
    }

    private record Pending(AuditEvent event, UniEmitter<? super Void> emitter) {
    }
}
