package org.rcm.credentials.audit;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.config.BrokerConfig.AuditMode;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.metrics.BrokerMetrics;

/**
 * Writes access-log rows with group commit: the rows of concurrent calls are collected in a
 * bounded queue and inserted in one multi-row statement per batch.
 *
 * <p>A batch is sent when it holds {@code batch-size} rows, or when a writer slot is free and
 * its oldest row has waited {@code max-batch-delay}; at most {@code max-in-flight-batches}
 * are written at once. In fail-closed mode (the default) {@link #record} reports back when the
 * row's batch has committed, or UNAVAILABLE if the database refuses the batch, the queue is
 * full, or the row has not committed within {@code timeout}. It never hangs.
 */
@ApplicationScoped
public class AuditWriter {

    private static final Logger LOG = Logger.getLogger(AuditWriter.class);
    private static final long SWEEP_MILLIS = 50;
    private static final long DRAIN_SECONDS = 10;
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
    private final long timeoutNanos;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final List<List<Pending>> inFlightBatches = new ArrayList<>();
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
        this.timeoutNanos = config.audit().timeout().toNanos();
        metrics.registerAuditQueue(this, AuditWriter::queued);
        if (mode == AuditMode.FAIL_CLOSED) {
            vertx.setPeriodic(SWEEP_MILLIS, id -> expireOverdue());
        }
    }

    /**
     * Records one access and tells {@code done} when the row is durable enough for the mode:
     * fail-closed, once it has committed (on the caller's Vert.x context); best-effort, at once
     * (a row that does not fit in the queue is dropped and counted). {@code done} receives
     * null, or an UNAVAILABLE {@link BrokerException} when the row cannot be made durable in
     * time. It is called exactly once.
     */
    public void record(AuditEvent event, Consumer<BrokerException> done) {
        if (mode == AuditMode.BEST_EFFORT) {
            if (!enqueue(new Pending(event, null, null, 0))) {
                metrics.auditRowsDropped(1);
            }
            done.accept(null);
            return;
        }
        Pending pending = new Pending(event, done, Vertx.currentContext(), System.nanoTime() + timeoutNanos);
        if (!enqueue(pending)) {
            pending.complete(unavailable("the audit log is overloaded"));
        }
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
            inFlightBatches.add(batch);
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
        BrokerException unavailable = failure == null ? null : unavailable("the audit log is unavailable");
        for (Pending pending : batch) {
            pending.complete(unavailable);
        }
        List<List<Pending>> next;
        lock.lock();
        try {
            inFlightBatches.remove(batch);
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

    /**
     * Writes the rows still queued when the service stops, for up to {@link #DRAIN_SECONDS}:
     * on the shutdown event, while the database pool is still open (it is closed before
     * {@code @PreDestroy} methods run).
     */
    void drain(@Observes ShutdownEvent event) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
        lock.lock();
        try {
            if (!queue.isEmpty() || inFlight > 0) {
                LOG.infof("Writing %d queued audit rows before stopping", queue.size());
            }
            while (!queue.isEmpty() || inFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.warnf("Stopping with %d audit rows unwritten", queue.size());
                    return;
                }
                if (!queue.isEmpty() && inFlight < maxInFlight) {
                    List<List<Pending>> batches = takeBatches(true);
                    lock.unlock();
                    try {
                        batches.forEach(this::write);
                    } finally {
                        lock.lock();
                    }
                }
                drained.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
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

    /**
     * Fails the calls whose rows have not committed by their deadline. Rows still queued are
     * dropped (their calls failed, so no credential was released); rows already sent may still
     * commit.
     */
    private void expireOverdue() {
        long now = System.nanoTime();
        List<Pending> overdue = new ArrayList<>();
        lock.lock();
        try {
            while (!queue.isEmpty() && queue.peek().isOverdue(now)) {
                overdue.add(queue.poll());
            }
            for (List<Pending> batch : inFlightBatches) {
                batch.stream().filter(pending -> pending.isOverdue(now)).forEach(overdue::add);
            }
        } finally {
            lock.unlock();
        }
        if (!overdue.isEmpty()) {
            BrokerException late = unavailable("the audit log did not confirm the access in time");
            overdue.forEach(pending -> pending.complete(late));
        }
    }

    /** A row and, in fail-closed mode, the call waiting for it. */
    private static final class Pending {
        private final AuditEvent event;
        private final Consumer<BrokerException> waiter;
        private final Context context;
        private final long deadline;
        private final AtomicBoolean done = new AtomicBoolean();

        Pending(AuditEvent event, Consumer<BrokerException> waiter, Context context, long deadline) {
            this.event = event;
            this.waiter = waiter;
            this.context = context;
            this.deadline = deadline;
        }

        boolean isOverdue(long now) {
            return waiter != null && !done.get() && now - deadline > 0;
        }

        /** Tells the waiting call, once, on its own Vert.x context; null means committed. */
        void complete(BrokerException failure) {
            if (waiter == null || !done.compareAndSet(false, true)) {
                return;
            }
            if (context == null || Vertx.currentContext() == context) {
                waiter.accept(failure);
            } else {
                context.runOnContext(ignored -> waiter.accept(failure));
            }
        }
    }
}
