package org.rcm.credentials.audit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The rows not sent yet, oldest first (rows sent again go back to the head), the fail-closed
 * rows by deadline, and the backoff after a failure. Guarded by the {@link AuditWriter}'s lock.
 */
final class AuditQueue {

    private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ArrayDeque<PendingRow> rows = new ArrayDeque<>();
    /** Fail-closed rows by deadline (deadlines grow with enqueue order), until their caller is told. */
    private final ArrayDeque<PendingRow> waiting = new ArrayDeque<>();
    private final int batchSize;
    private boolean paused;
    private long resumeAt;
    private long backoffNanos;

    AuditQueue(int batchSize) {
        this.batchSize = batchSize;
    }

    int size() {
        return rows.size();
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    /** Whether a whole batch is waiting. */
    boolean hasFullBatch() {
        return rows.size() >= batchSize;
    }

    void add(PendingRow row) {
        rows.add(row);
        if (row.waited()) {
            waiting.add(row);
        }
    }

    /** Whether sending is paused after a failure at {@code now}; a pause that has run out ends. */
    boolean paused(long now) {
        if (paused && now - resumeAt < 0) {
            return true;
        }
        paused = false;
        return false;
    }

    /** Whether a pause has just run out: its rows are due at once, without waiting for a full batch. */
    boolean pauseOver(long now) {
        return paused && now - resumeAt >= 0;
    }

    /** The rows of the next batch: up to {@code batch-size}, or one row that must be written on its own. */
    List<PendingRow> nextBatch() {
        PendingRow first = rows.poll();
        if (first.alone) {
            return List.of(first);
        }
        List<PendingRow> batch = new ArrayList<>(Math.min(batchSize, rows.size() + 1));
        batch.add(first);
        while (batch.size() < batchSize && !rows.isEmpty() && !rows.peek().alone) {
            batch.add(rows.poll());
        }
        return batch;
    }

    /** Puts rows not committed back at the head, in their order; {@code alone}: each to be written on its own. */
    void requeue(List<PendingRow> batch, boolean alone) {
        for (int i = batch.size() - 1; i >= 0; i--) {
            PendingRow row = batch.get(i);
            if (!row.committed) {
                row.alone |= alone;
                rows.addFirst(row);
            }
        }
    }

    /** Drops rows that a write given up on committed after all. */
    void removeCommitted() {
        rows.removeIf(row -> row.committed);
    }

    /** Sends nothing for a while after a failure; the backoff doubles up to its bound. */
    void pause(long now) {
        if (paused && now - resumeAt < 0) {
            return;
        }
        backoffNanos = backoffNanos == 0 ? FIRST_BACKOFF_NANOS : Math.min(2 * backoffNanos, MAX_BACKOFF_NANOS);
        paused = true;
        resumeAt = now + backoffNanos;
    }

    /** A write committed: the next failure backs off from the start again. */
    void resetBackoff() {
        backoffNanos = 0;
    }

    /**
     * The fail-closed rows whose deadline has passed. Each is rewritten to record that its answer
     * was withheld ({@code withheld}) and stays queued, to be written all the same; a row already
     * in its hash chain keeps its values (a write may have sent them), and the withholding is
     * recorded by a row of its own.
     */
    List<PendingRow> takeOverdue(long now, String withheld) {
        List<PendingRow> overdue = List.of();
        while (!waiting.isEmpty()) {
            PendingRow head = waiting.peek();
            if (head.isDone() || head.committed) {
                // committed rows are being told so, outside the lock: never fail them late
                waiting.poll();
            } else if (now - head.deadline > 0) {
                if (overdue.isEmpty()) {
                    overdue = new ArrayList<>();
                }
                AuditEvent failed = head.event.withheld(withheld);
                if (head.link == null) {
                    head.event = failed;
                } else if (failed != head.event) {
                    rows.add(new PendingRow(failed, null, null, 0));
                }
                overdue.add(waiting.poll());
            } else {
                break;
            }
        }
        return overdue;
    }
}
