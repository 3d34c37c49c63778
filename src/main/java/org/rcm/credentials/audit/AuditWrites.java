package org.rcm.credentials.audit;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The batches sent and not answered yet: those holding a writer slot, and those that timed out
 * and whose rows wait for their answer. Guarded by the {@link AuditWriter}'s lock.
 */
final class AuditWrites {

    /** After this many write timeouts without an answer, a write is given up on and its rows are sent again. */
    static final int GIVE_UP_AFTER_TIMEOUTS = 5;

    /** Where a write stands. */
    enum State {
        /** Sent, within its timeout; holds a writer slot. */
        WRITING,
        /** Timed out; its rows wait for its answer. */
        HELD,
        /** Unanswered for too long; its rows were sent again. */
        GIVEN_UP,
        /** The database answered. */
        ANSWERED
    }

    /** One statement of a batch of rows. */
    static final class Write {
        final List<PendingRow> rows;
        final long sentAt;
        /** Some of its rows were in a write sent before, which may have committed. */
        final boolean sentBefore;
        State state = State.WRITING;

        Write(List<PendingRow> rows, long sentAt, boolean sentBefore) {
            this.rows = rows;
            this.sentAt = sentAt;
            this.sentBefore = sentBefore;
        }
    }

    private final List<Write> writing = new ArrayList<>();
    private final List<Write> held = new ArrayList<>();
    private final int maxInFlight;
    private final long timeoutNanos;
    private int heldRows;
    /** When the latest write that committed was sent. */
    private long lastCommitSentAt = System.nanoTime();

    AuditWrites(int maxInFlight, long timeoutNanos) {
        this.maxInFlight = maxInFlight;
        this.timeoutNanos = timeoutNanos;
    }

    boolean slotFree() {
        return writing.size() < maxInFlight;
    }

    Write start(List<PendingRow> rows, long now, boolean sentBefore) {
        Write write = new Write(rows, now, sentBefore);
        writing.add(write);
        return write;
    }

    /** Rows of writes holding a slot. */
    int rowsWriting() {
        int rows = 0;
        for (Write write : writing) {
            rows += write.rows.size();
        }
        return rows;
    }

    /** Rows of writes that timed out, waiting for their answer; they count against the queue's capacity. */
    int heldRows() {
        return heldRows;
    }

    boolean idle() {
        return writing.isEmpty() && heldRows == 0;
    }

    /** Records a write's answer; returns where it stood before. */
    State answered(Write write, boolean committed) {
        State was = write.state;
        write.state = State.ANSWERED;
        if (was == State.WRITING) {
            writing.remove(write);
        } else if (was == State.HELD) {
            held.remove(write);
            heldRows -= write.rows.size();
        }
        if (committed && write.sentAt - lastCommitSentAt > 0) {
            lastCommitSentAt = write.sentAt;
        }
        return was;
    }

    /** Marks the write's rows committed and returns those not committed before. */
    static List<PendingRow> markCommitted(Write write) {
        List<PendingRow> newly = new ArrayList<>(write.rows.size());
        for (PendingRow row : write.rows) {
            if (!row.committed) {
                row.committed = true;
                newly.add(row);
            }
        }
        return newly;
    }

    /** Writes unanswered after the write timeout: they free their slot, their rows are held. */
    List<Write> timeOut(long now) {
        List<Write> timedOut = List.of();
        for (Iterator<Write> it = writing.iterator(); it.hasNext(); ) {
            Write write = it.next();
            if (now - write.sentAt - timeoutNanos > 0) {
                it.remove();
                write.state = State.HELD;
                held.add(write);
                heldRows += write.rows.size();
                if (timedOut.isEmpty()) {
                    timedOut = new ArrayList<>(2);
                }
                timedOut.add(write);
            }
        }
        return timedOut;
    }

    /**
     * Held writes unanswered for {@value #GIVE_UP_AFTER_TIMEOUTS} timeouts while a later write
     * has committed (so the database answers: their connection is half-open): given up on, for
     * the caller to send their rows again. While nothing commits (the database hangs) they stay held.
     */
    List<Write> giveUp(long now) {
        List<Write> givenUp = List.of();
        for (Iterator<Write> it = held.iterator(); it.hasNext(); ) {
            Write write = it.next();
            if (now - write.sentAt - GIVE_UP_AFTER_TIMEOUTS * timeoutNanos > 0 && lastCommitSentAt - write.sentAt > 0) {
                it.remove();
                write.state = State.GIVEN_UP;
                heldRows -= write.rows.size();
                if (givenUp.isEmpty()) {
                    givenUp = new ArrayList<>(2);
                }
                givenUp.add(write);
            }
        }
        return givenUp;
    }
}
