package org.rcm.credentials.audit;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;
import org.rcm.credentials.audit.AuditWrites.State;
import org.rcm.credentials.audit.AuditWrites.Write;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.metrics.BrokerMetrics;

/**
 * The {@link AuditWriter}'s engine: batches queued rows, sends them to the sink, and acts on
 * the answers, the timeouts and the deadlines, as the writer's documentation says. All state
 * sits behind one lock, never held while a batch is sent or a caller is told.
 */
final class GroupCommit {

    private static final Logger LOG = Logger.getLogger(AuditWriter.class);
    private static final long SWEEP_MILLIS = 50;
    private static final String LATE = "the audit log did not confirm the access in time";

    private final AuditSink sink;
    private final Vertx vertx;
    private final AuditWriter.Settings settings;
    private final long maxBatchDelayMillis;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();
    private final AuditQueue queue;
    private final AuditWrites writes;
    private final AuditReport report;
    private final AuditChain chain = new AuditChain();
    private boolean timerArmed;

    GroupCommit(AuditSink sink, Vertx vertx, BrokerMetrics metrics, AuditWriter.Settings settings) {
        this.sink = sink;
        this.vertx = vertx;
        this.settings = settings;
        this.maxBatchDelayMillis = settings.maxBatchDelay().toMillis();
        this.queue = new AuditQueue(settings.batchSize());
        this.writes = new AuditWrites(settings.maxInFlight(), settings.writeTimeout().toNanos());
        this.report = new AuditReport(sink, metrics, settings.writeTimeout());
        vertx.setPeriodic(SWEEP_MILLIS, id -> sweep());
    }

    /** Rows not written yet: queued, being written, or held until a write that timed out answers. */
    int queued() {
        lock.lock();
        try {
            return queue.size() + writes.heldRows() + writes.rowsWriting();
        } finally {
            lock.unlock();
        }
    }

    /** Queues a row; false when the queue is full. */
    boolean enqueue(PendingRow row) {
        List<Write> next;
        lock.lock();
        try {
            if (queue.size() + writes.heldRows() >= settings.capacity()) {
                return false;
            }
            queue.add(row);
            next = takeBatches(false);
        } finally {
            lock.unlock();
        }
        next.forEach(this::send);
        return true;
    }

    /** Takes the batches that may be sent now; the caller holds the lock and sends them after releasing it. */
    private List<Write> takeBatches(boolean delayElapsed) {
        List<Write> next = List.of();
        long now = System.nanoTime();
        if (queue.paused(now)) {
            return next;
        }
        while (writes.slotFree() && !queue.isEmpty()) {
            if (!queue.hasFullBatch() && maxBatchDelayMillis > 0 && !delayElapsed) {
                armTimer();
                break;
            }
            if (next.isEmpty()) {
                next = new ArrayList<>(2);
            }
            List<PendingRow> batch = queue.nextBatch();
            boolean sentBefore = false;
            for (PendingRow row : batch) {
                if (row.link == null) {
                    row.link = chain.append(row.event);
                } else {
                    sentBefore = true; // chained when a batch was first taken: this one was sent
                }
            }
            next.add(writes.start(batch, now, sentBefore));
        }
        return next;
    }

    private void armTimer() {
        if (!timerArmed) {
            timerArmed = true;
            vertx.setTimer(maxBatchDelayMillis, id -> flushAfterDelay());
        }
    }

    private void flushAfterDelay() {
        List<Write> next;
        lock.lock();
        try {
            timerArmed = false;
            next = takeBatches(true);
        } finally {
            lock.unlock();
        }
        next.forEach(this::send);
    }

    private void send(Write write) {
        List<AuditChain.Chained> rows = new ArrayList<>(write.rows.size());
        write.rows.forEach(row -> rows.add(new AuditChain.Chained(row.event, row.link)));
        sink.write(rows, write.sentBefore).subscribe().with(
                ignored -> answered(write, null),
                failure -> answered(write, failure));
    }

    /** A write answered: in time, after it timed out, or after its rows were sent again. */
    private void answered(Write write, Throwable failure) {
        List<PendingRow> committed = List.of();
        PendingRow rejected = null;
        List<Write> next;
        State was;
        lock.lock();
        try {
            was = writes.answered(write, failure == null);
            if (failure == null) {
                committed = AuditWrites.markCommitted(write);
                if (was == State.GIVEN_UP) {
                    queue.removeCommitted();
                } else {
                    queue.resetBackoff();
                }
            } else if (was == State.GIVEN_UP) {
                // its rows were sent again when it was given up on
            } else if (sink.isDataError(failure) && write.rows.size() > 1) {
                queue.requeue(write.rows, true);
            } else if (sink.isDataError(failure)) {
                rejected = write.rows.get(0).committed ? null : write.rows.get(0);
            } else {
                queue.requeue(write.rows, false);
                queue.pause(System.nanoTime());
            }
            next = takeBatches(false);
            signalIfDrained();
        } finally {
            lock.unlock();
        }
        report.answered(write, was, failure, committed.size(), rejected);
        committed.forEach(row -> row.complete(null));
        if (rejected != null) {
            rejected.complete(unavailable("the audit log refused the access record"));
        }
        next.forEach(this::send);
    }

    private void signalIfDrained() {
        if (queue.isEmpty() && writes.idle()) {
            drained.signalAll();
        }
    }

    /**
     * Every {@value #SWEEP_MILLIS} ms: fails the calls whose rows have not committed by their
     * deadline (the rows stay queued), times out writes, gives up on writes stuck on a dead
     * connection, and resumes sending after a backoff.
     */
    private void sweep() {
        long now = System.nanoTime();
        List<PendingRow> overdue;
        List<Write> timedOut;
        List<Write> givenUp;
        List<Write> next = List.of();
        lock.lock();
        try {
            overdue = queue.takeOverdue(now, "UNAVAILABLE: " + LATE + "; no credential was released");
            timedOut = writes.timeOut(now);
            if (!timedOut.isEmpty()) {
                queue.pause(now);
            }
            givenUp = writes.giveUp(now);
            givenUp.forEach(write -> queue.requeue(write.rows, false));
            if (!queue.isEmpty()) {
                next = takeBatches(queue.pauseOver(now));
            }
        } finally {
            lock.unlock();
        }
        if (!overdue.isEmpty()) {
            BrokerException late = unavailable(LATE);
            overdue.forEach(row -> row.complete(late));
        }
        timedOut.forEach(report::timedOut);
        givenUp.forEach(write -> report.givenUp(write, now));
        next.forEach(this::send);
    }

    /** Writes the rows still queued or held, until {@code deadline} ({@link System#nanoTime()}). */
    void drain(long deadline) {
        lock.lock();
        try {
            if (!queue.isEmpty() || !writes.idle()) {
                LOG.infof("Writing %d queued audit rows before stopping", queue.size() + writes.heldRows());
            }
            while (!queue.isEmpty() || !writes.idle()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.warnf("Stopping with %d audit rows unwritten", queue.size() + writes.heldRows());
                    return;
                }
                if (!queue.isEmpty() && writes.slotFree()) {
                    List<Write> next = takeBatches(true);
                    lock.unlock();
                    try {
                        next.forEach(this::send);
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

    static BrokerException unavailable(String message) {
        return BrokerException.unavailable("AUDIT_UNAVAILABLE", message + "; no credential was released", null);
    }
}
