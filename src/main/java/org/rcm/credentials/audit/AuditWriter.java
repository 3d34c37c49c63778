package org.rcm.credentials.audit;

import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import org.rcm.credentials.reactive.VertxContexts;
import jakarta.enterprise.event.Observes;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
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
 * are written at once.
 *
 * <p>A row may record a change that has already happened (Store, Rotate, Delete, Register),
 * so a failure never drops it:
 * <ul>
 *   <li>A batch that fails (connection lost, server error) goes back to the head of the queue;
 *       nothing is sent for a backoff of 100 ms, doubling up to 1 s, then it is sent again.
 *   <li>A write unanswered after {@code rcm.database-timeout} counts as failed and frees its
 *       writer slot. Its rows wait for its answer (committed: done; failed: sent again), since
 *       sending them at once would write them twice when the hung write commits after all, and
 *       every retry during a long hang would add a copy. A write still unanswered after
 *       {@value #GIVE_UP_AFTER_TIMEOUTS} such timeouts while a write sent after it has committed
 *       (so the database answers: the hung write's connection is half-open) is given up on and
 *       its rows are sent again; should the hung write commit later, they are written twice.
 *   <li>A batch of several rows that the database refuses for its data (SQLSTATE class 22 or
 *       23) is split: its rows are sent again one per statement. A row refused on its own is
 *       dropped, counted ({@code rejected}) and logged without its content.
 * </ul>
 * Rows sent again and rows held for an answer count against {@code queue-capacity}: a dead
 * database fills the queue, and then new rows are refused (fail-closed) or dropped (best-effort).
 *
 * <p>In fail-closed mode (the default) {@link #record} reports back when the row has committed,
 * or UNAVAILABLE if the queue is full, the database refused the row, or the row has not
 * committed within {@code rcm.audit.timeout}. A row that misses its deadline is still written.
 * It never hangs.
 */
@ApplicationScoped
public class AuditWriter {

    private static final Logger LOG = Logger.getLogger(AuditWriter.class);
    private static final long SWEEP_MILLIS = 50;
    private static final long DRAIN_SECONDS = 10;
    private static final String LATE = "the audit log did not confirm the access in time";
    private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** After this many write timeouts without an answer, a write's rows are sent again. */
    private static final int GIVE_UP_AFTER_TIMEOUTS = 5;
    private static final String INSERT = """
            INSERT INTO credential_access_log (tenant_id, portal_id, secret_arn, access_type, access_by,
                ip_address, user_agent, success, error_message, unexpected_ip, accessed_at)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                $6::text[]::inet[], $7::text[], $8::bool[], $9::text[], $10::bool[], $11::timestamptz[])""";

    private final Pool pool;
    private final BrokerMetrics metrics;
    private final Vertx vertx;
    private final AuditMode mode;
    private final int batchSize;
    private final long maxBatchDelayMillis;
    private final int maxInFlight;
    private final int capacity;
    private final long timeoutNanos;
    private final long writeTimeoutNanos;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();
    /** Rows to send, oldest first, except that rows sent again go back to the head. */
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    /** Fail-closed rows by deadline (deadlines grow with enqueue order), until their caller is told. */
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    /** Writes in flight, each holding a writer slot. */
    private final List<Write> writing = new ArrayList<>();
    /** Writes that timed out and have not answered yet; their rows wait for the answer. */
    private final List<Write> held = new ArrayList<>();
    private int heldRows;
    private boolean timerArmed;
    private boolean paused;
    private long resumeAt;
    private long backoffNanos;
    /** When the latest write that committed was sent. */
    private long lastCommitSentAt = System.nanoTime();

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
        this.writeTimeoutNanos = config.databaseTimeout().toNanos();
        metrics.registerAuditQueue(this, AuditWriter::queued);
        vertx.setPeriodic(SWEEP_MILLIS, id -> sweep());
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

    /**
     * {@link #record} for a row that the domain writes itself (one per portal of a migration,
     * say): completes when the row is durable enough for the mode, fails UNAVAILABLE when it
     * cannot be made so in time.
     */
    public Uni<Void> recorded(AuditEvent event) {
        return Uni.createFrom().emitter(emitter -> record(event, failure -> {
            if (failure == null) {
                emitter.complete(null);
            } else {
                emitter.fail(failure);
            }
        }));
    }

    /** Rows not written yet: queued, being written, or held until a write that timed out answers. */
    public int queued() {
        lock.lock();
        try {
            int rows = queue.size() + heldRows;
            for (Write write : writing) {
                rows += write.rows.size();
            }
            return rows;
        } finally {
            lock.unlock();
        }
    }

    private boolean enqueue(Pending pending) {
        List<Write> writes;
        lock.lock();
        try {
            if (queue.size() + heldRows >= capacity) {
                return false;
            }
            queue.add(pending);
            if (pending.waiter != null) {
                waiting.add(pending);
            }
            writes = takeBatches(false);
        } finally {
            lock.unlock();
        }
        writes.forEach(this::send);
        return true;
    }

    /** Takes the batches that may be sent now; the caller holds the lock and sends them after releasing it. */
    private List<Write> takeBatches(boolean delayElapsed) {
        List<Write> writes = List.of();
        if (paused) {
            if (System.nanoTime() - resumeAt < 0) {
                return writes;
            }
            paused = false;
        }
        while (writing.size() < maxInFlight && !queue.isEmpty()) {
            if (queue.size() < batchSize && maxBatchDelayMillis > 0 && !delayElapsed) {
                armTimer();
                break;
            }
            if (writes.isEmpty()) {
                writes = new ArrayList<>(2);
            }
            Write write = new Write(nextBatch(), System.nanoTime());
            writes.add(write);
            writing.add(write);
        }
        return writes;
    }

    /** The rows of the next batch: up to {@code batch-size}, or one row that must be written on its own. */
    private List<Pending> nextBatch() {
        Pending first = queue.poll();
        if (first.alone) {
            return List.of(first);
        }
        List<Pending> batch = new ArrayList<>(Math.min(batchSize, queue.size() + 1));
        batch.add(first);
        while (batch.size() < batchSize && !queue.isEmpty() && !queue.peek().alone) {
            batch.add(queue.poll());
        }
        return batch;
    }

    private void armTimer() {
        if (!timerArmed) {
            timerArmed = true;
            vertx.setTimer(maxBatchDelayMillis, id -> flushAfterDelay());
        }
    }

    private void flushAfterDelay() {
        List<Write> writes;
        lock.lock();
        try {
            timerArmed = false;
            writes = takeBatches(true);
        } finally {
            lock.unlock();
        }
        writes.forEach(this::send);
    }

    private void send(Write write) {
        pool.preparedQuery(INSERT)
                .execute(toColumns(write.rows))
                .subscribe().with(
                        rows -> answered(write, null),
                        failure -> answered(write, failure));
    }

    /** A write answered: in time, after it timed out, or after its rows were sent again. */
    private void answered(Write write, Throwable failure) {
        List<Pending> committed = List.of();
        Pending rejected = null;
        List<Write> next;
        WriteState was;
        lock.lock();
        try {
            was = write.state;
            write.state = WriteState.ANSWERED;
            if (was == WriteState.WRITING) {
                writing.remove(write);
            } else if (was == WriteState.HELD) {
                held.remove(write);
                heldRows -= write.rows.size();
            }
            if (failure == null) {
                committed = markCommitted(write);
                if (write.sentAt - lastCommitSentAt > 0) {
                    lastCommitSentAt = write.sentAt;
                }
                if (was == WriteState.GIVEN_UP) {
                    queue.removeIf(pending -> pending.committed);
                } else {
                    backoffNanos = 0;
                }
            } else if (was == WriteState.GIVEN_UP) {
                // its rows were sent again when it was given up on
            } else if (isDataError(failure) && write.rows.size() > 1) {
                requeue(write.rows, true);
            } else if (isDataError(failure)) {
                rejected = write.rows.get(0).committed ? null : write.rows.get(0);
            } else {
                requeue(write.rows, false);
                pause();
            }
            next = takeBatches(false);
            signalIfDrained();
        } finally {
            lock.unlock();
        }
        report(write, was, failure, committed.size(), rejected);
        committed.forEach(pending -> pending.complete(null));
        if (rejected != null) {
            rejected.complete(unavailable("the audit log refused the access record"));
        }
        next.forEach(this::send);
    }

    /** Marks the write's rows committed (the caller holds the lock) and returns those not committed before. */
    private static List<Pending> markCommitted(Write write) {
        List<Pending> newly = new ArrayList<>(write.rows.size());
        for (Pending pending : write.rows) {
            if (!pending.committed) {
                pending.committed = true;
                newly.add(pending);
            }
        }
        return newly;
    }

    /** Puts rows back at the head of the queue, in their order; the caller holds the lock. */
    private void requeue(List<Pending> rows, boolean alone) {
        for (int i = rows.size() - 1; i >= 0; i--) {
            Pending pending = rows.get(i);
            if (!pending.committed) {
                pending.alone |= alone;
                queue.addFirst(pending);
            }
        }
    }

    /** Sends nothing for a while after a failure; the backoff doubles up to its bound. The caller holds the lock. */
    private void pause() {
        long now = System.nanoTime();
        if (paused && now - resumeAt < 0) {
            return;
        }
        backoffNanos = backoffNanos == 0 ? FIRST_BACKOFF_NANOS : Math.min(2 * backoffNanos, MAX_BACKOFF_NANOS);
        paused = true;
        resumeAt = now + backoffNanos;
    }

    private void signalIfDrained() {
        if (queue.isEmpty() && writing.isEmpty() && heldRows == 0) {
            drained.signalAll();
        }
    }

    private void report(Write write, WriteState was, Throwable failure, int committed, Pending rejected) {
        int rows = write.rows.size();
        if (failure == null) {
            if (committed > 0) {
                metrics.auditBatchWritten(committed);
            }
            if (was == WriteState.HELD || was == WriteState.GIVEN_UP) {
                LOG.infof("Audit batch of %d rows committed after it had timed out", rows);
            }
        } else if (was == WriteState.GIVEN_UP) {
            LOG.debugf("Audit batch of %d rows, given up on, failed: %s", rows, describe(failure));
        } else if (rejected != null) {
            metrics.auditRowRejected();
            LOG.errorf("Audit row dropped: the database refused it (%s); it recorded a %s by tenant %s",
                    describe(failure), rejected.event.accessType().dbValue(), rejected.event.tenantId());
        } else if (isDataError(failure) && rows > 1) {
            metrics.auditBatchFailed(rows, "data");
            LOG.warnf("Audit batch of %d rows refused (%s); writing its rows one by one", rows, describe(failure));
        } else if (was == WriteState.WRITING) {
            metrics.auditBatchFailed(rows, "error");
            LOG.warnf("Audit batch of %d rows failed, retrying: %s", rows, describe(failure));
        } else {
            LOG.warnf("Audit batch of %d rows failed after it had timed out, retrying: %s", rows, describe(failure));
        }
    }

    /**
     * Every {@value #SWEEP_MILLIS} ms: fails the calls whose rows have not committed by their
     * deadline (the rows stay queued), times out writes, gives up on writes stuck on a dead
     * connection, and resumes sending after a backoff.
     */
    private void sweep() {
        long now = System.nanoTime();
        List<Pending> overdue = List.of();
        List<Write> timedOut = List.of();
        List<Write> givenUp = List.of();
        List<Write> next = List.of();
        lock.lock();
        try {
            overdue = takeOverdue(now);
            timedOut = timeOutWrites(now);
            givenUp = giveUpWrites(now);
            if (!queue.isEmpty()) {
                next = takeBatches(paused && now - resumeAt >= 0);
            }
        } finally {
            lock.unlock();
        }
        if (!overdue.isEmpty()) {
            BrokerException late = unavailable(LATE);
            overdue.forEach(pending -> pending.complete(late));
        }
        for (Write write : timedOut) {
            metrics.auditBatchFailed(write.rows.size(), "timeout");
            LOG.warnf("Audit batch of %d rows unanswered after %d ms; its rows wait for the answer",
                    write.rows.size(), TimeUnit.NANOSECONDS.toMillis(writeTimeoutNanos));
        }
        for (Write write : givenUp) {
            LOG.warnf("Audit batch of %d rows still unanswered after %d ms; sending its rows again (they may be written twice)",
                    write.rows.size(), TimeUnit.NANOSECONDS.toMillis(now - write.sentAt));
        }
        next.forEach(this::send);
    }

    /** The fail-closed rows whose deadline has passed; the caller holds the lock. */
    private List<Pending> takeOverdue(long now) {
        List<Pending> overdue = List.of();
        while (!waiting.isEmpty()) {
            Pending head = waiting.peek();
            if (head.isDone() || head.committed) {
                // committed rows are being told so, outside the lock: never fail them late
                waiting.poll();
            } else if (now - head.deadline > 0) {
                if (overdue.isEmpty()) {
                    overdue = new ArrayList<>();
                }
                // A write already sent keeps the values it was sent with; a queued or retried row says the truth.
                head.event = head.event.withheld("UNAVAILABLE: " + LATE + "; no credential was released");
                overdue.add(waiting.poll());
            } else {
                break;
            }
        }
        return overdue;
    }

    /** Writes unanswered after the write timeout: they free their slot, their rows are held. The caller holds the lock. */
    private List<Write> timeOutWrites(long now) {
        List<Write> timedOut = List.of();
        for (Iterator<Write> it = writing.iterator(); it.hasNext(); ) {
            Write write = it.next();
            if (now - write.sentAt - writeTimeoutNanos > 0) {
                it.remove();
                write.state = WriteState.HELD;
                held.add(write);
                heldRows += write.rows.size();
                if (timedOut.isEmpty()) {
                    timedOut = new ArrayList<>(2);
                }
                timedOut.add(write);
                pause();
            }
        }
        return timedOut;
    }

    /**
     * Held writes unanswered for too long while a later write has committed: their rows are sent
     * again. While nothing commits (the database hangs) they stay held. The caller holds the lock.
     */
    private List<Write> giveUpWrites(long now) {
        List<Write> givenUp = List.of();
        for (Iterator<Write> it = held.iterator(); it.hasNext(); ) {
            Write write = it.next();
            if (now - write.sentAt - GIVE_UP_AFTER_TIMEOUTS * writeTimeoutNanos > 0 && lastCommitSentAt - write.sentAt > 0) {
                it.remove();
                write.state = WriteState.GIVEN_UP;
                heldRows -= write.rows.size();
                requeue(write.rows, false);
                if (givenUp.isEmpty()) {
                    givenUp = new ArrayList<>(2);
                }
                givenUp.add(write);
            }
        }
        return givenUp;
    }

    /**
     * Writes the rows still queued or held when the service stops, for up to
     * {@link #DRAIN_SECONDS}: on the shutdown event, while the database pool is still open (it
     * is closed before {@code @PreDestroy} methods run).
     */
    void drain(@Observes ShutdownEvent event) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
        lock.lock();
        try {
            if (!queue.isEmpty() || !writing.isEmpty() || heldRows > 0) {
                LOG.infof("Writing %d queued audit rows before stopping", queue.size() + heldRows);
            }
            while (!queue.isEmpty() || !writing.isEmpty() || heldRows > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.warnf("Stopping with %d audit rows unwritten", queue.size() + heldRows);
                    return;
                }
                if (!queue.isEmpty() && writing.size() < maxInFlight) {
                    List<Write> writes = takeBatches(true);
                    lock.unlock();
                    try {
                        writes.forEach(this::send);
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

    /** A refusal of the rows themselves (data exception, integrity constraint), not of the connection or server. */
    private static boolean isDataError(Throwable failure) {
        if (failure instanceof PgException pg && pg.getSqlState() != null) {
            return pg.getSqlState().startsWith("22") || pg.getSqlState().startsWith("23");
        }
        return false;
    }

    /** A failure for a log line: its type and SQLSTATE, never its message (which may quote a row). */
    private static String describe(Throwable failure) {
        if (failure instanceof PgException pg) {
            return "SQLSTATE " + pg.getSqlState();
        }
        return failure.getClass().getSimpleName();
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

    /** Where a write stands. */
    private enum WriteState {
        /** Sent, within its timeout; holds a writer slot. */
        WRITING,
        /** Timed out; its rows wait for its answer. */
        HELD,
        /** Unanswered for too long; its rows were sent again. */
        GIVEN_UP,
        /** The database answered. */
        ANSWERED
    }

    /** One INSERT of a batch of rows. State guarded by the writer's lock. */
    private static final class Write {
        private final List<Pending> rows;
        private final long sentAt;
        private WriteState state = WriteState.WRITING;

        Write(List<Pending> rows, long sentAt) {
            this.rows = rows;
            this.sentAt = sentAt;
        }
    }

    /** A row and, in fail-closed mode, the call waiting for it. */
    private static final class Pending {
        /** Rewritten (under the writer's lock) as failed when a read's answer is withheld for it. */
        private volatile AuditEvent event;
        private final Consumer<BrokerException> waiter;
        private final Context context;
        private final long deadline;
        private final AtomicBoolean done = new AtomicBoolean();
        /** Guarded by the writer's lock: the row has committed. */
        private boolean committed;
        /** Guarded by the writer's lock: its batch was refused for its data, so it is written on its own. */
        private boolean alone;

        Pending(AuditEvent event, Consumer<BrokerException> waiter, Context context, long deadline) {
            this.event = event;
            this.waiter = waiter;
            this.context = context;
            this.deadline = deadline;
        }

        boolean isDone() {
            return done.get();
        }

        /** Tells the waiting call, once, on its own Vert.x context; null means committed. */
        void complete(BrokerException failure) {
            if (waiter == null || !done.compareAndSet(false, true)) {
                return;
            }
            VertxContexts.runOn(context, () -> waiter.accept(failure));
        }
    }
}
