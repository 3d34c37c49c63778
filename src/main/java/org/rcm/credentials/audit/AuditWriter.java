package org.rcm.credentials.audit;

import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.config.BrokerConfig.AuditMode;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.metrics.BrokerMetrics;

/**
 * Writes access-log rows with group commit: the rows of concurrent calls are collected in a
 * bounded queue ({@link AuditQueue}) and written to the {@link AuditSink} (Postgres) in one
 * statement per batch. This class and its engine ({@link GroupCommit}) hold the policy (batching,
 * retries, timeouts, fail-closed answers) and no SQL.
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
 *       rows sent at once would only queue behind the hung write in the database, and every
 *       retry during a long hang would add another statement. A write still unanswered after
 *       {@value AuditWrites#GIVE_UP_AFTER_TIMEOUTS} such timeouts while a write sent after it has committed
 *       (so the database answers: the hung write's connection is half-open) is given up on and
 *       its rows are sent again.
 *   <li>A batch sent again tells the sink so, and the sink skips the rows already written: a
 *       write whose connection was lost after it committed looks failed, and would otherwise
 *       be written twice. Only a given-up write that commits after its rows were sent again
 *       can still leave a copy (the verifier accepts an exact copy).
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

    private static final long DRAIN_SECONDS = 10;

    /** The writer's settings; {@code rcm.audit.*} and {@code rcm.database-timeout}. */
    record Settings(AuditMode mode, int batchSize, Duration maxBatchDelay, int maxInFlight, int capacity,
            Duration timeout, Duration writeTimeout) {

        static Settings of(BrokerConfig config) {
            BrokerConfig.Audit audit = config.audit();
            return new Settings(audit.mode(), Math.max(1, audit.batchSize()), audit.maxBatchDelay(),
                    Math.max(1, audit.maxInFlightBatches()), audit.queueCapacity(), audit.timeout(), config.databaseTimeout());
        }
    }

    private final BrokerMetrics metrics;
    private final Settings settings;
    private final GroupCommit engine;

    @Inject
    public AuditWriter(AuditSink sink, Vertx vertx, BrokerMetrics metrics, BrokerConfig config) {
        this(sink, vertx, metrics, Settings.of(config));
    }

    AuditWriter(AuditSink sink, Vertx vertx, BrokerMetrics metrics, Settings settings) {
        this.metrics = metrics;
        this.settings = settings;
        this.engine = new GroupCommit(sink, vertx, metrics, settings);
        metrics.registerAuditQueue(this, AuditWriter::queued);
    }

    /**
     * Records one access and tells {@code done} when the row is durable enough for the mode:
     * fail-closed, once it has committed (on the caller's Vert.x context); best-effort, at once
     * (a row that does not fit in the queue is dropped and counted). {@code done} receives
     * null, or an UNAVAILABLE {@link BrokerException} when the row cannot be made durable in
     * time. It is called exactly once.
     */
    public void record(AuditEvent event, Consumer<BrokerException> done) {
        if (settings.mode() == AuditMode.BEST_EFFORT) {
            if (!engine.enqueue(new PendingRow(event, null, null, 0))) {
                metrics.auditRowsDropped(1);
            }
            done.accept(null);
            return;
        }
        PendingRow row = new PendingRow(event, done, Vertx.currentContext(), System.nanoTime() + settings.timeout().toNanos());
        if (!engine.enqueue(row)) {
            row.complete(GroupCommit.unavailable("the audit log is overloaded"));
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
        return engine.queued();
    }

    /**
     * Writes the rows still queued or held when the service stops, for up to
     * {@link #DRAIN_SECONDS}: on the shutdown event, while the database pool is still open (it
     * is closed before {@code @PreDestroy} methods run).
     */
    void drain(@Observes ShutdownEvent event) {
        engine.drain(System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS));
    }
}
