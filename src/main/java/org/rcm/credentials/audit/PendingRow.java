package org.rcm.credentials.audit;

import io.vertx.core.Context;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.reactive.VertxContexts;

/** A row to write and, in fail-closed mode, the call waiting for it. */
final class PendingRow {
    /** Rewritten (under the writer's lock) as failed when a read's answer is withheld for it, if not chained yet. */
    volatile AuditEvent event;
    final long deadline;
    /** Guarded by the writer's lock: the row has committed. */
    boolean committed;
    /** Guarded by the writer's lock: its place in its hash chain, from when its batch was first taken. */
    AuditChain.Link link;
    /** Guarded by the writer's lock: its batch was refused for its data, so it is written on its own. */
    boolean alone;
    private final Consumer<BrokerException> waiter;
    private final Context context;
    private final AtomicBoolean done = new AtomicBoolean();

    PendingRow(AuditEvent event, Consumer<BrokerException> waiter, Context context, long deadline) {
        this.event = event;
        this.waiter = waiter;
        this.context = context;
        this.deadline = deadline;
    }

    /** Whether a call waits for this row (fail-closed mode). */
    boolean waited() {
        return waiter != null;
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
