package org.rcm.credentials.audit;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.rcm.credentials.config.BrokerConfig.AuditMode;
import org.rcm.credentials.metrics.BrokerMetrics;

/**
 * The benchmark's {@code audit-writer} scenario: the service's own writer ({@link AuditWriter},
 * {@link GroupCommit}, {@link PostgresAuditSink}, {@link AuditChain}) with the service's default
 * settings, fed rows directly instead of by RPCs. A closed loop of fail-closed rows: each row,
 * once committed, is replaced by the next, so {@code inFlight} callers wait at all times. What
 * it shows is the writer's and PostgreSQL's capacity, apart from gRPC and TLS.
 */
public final class WriterLoad implements AutoCloseable {

    /** Rows committed in the measured window, over its length; the mean rows per INSERT; every row written. */
    public record Result(long rows, double seconds, double meanBatch, long failed, long written) {
        public double rowsPerSecond() {
            return rows / seconds;
        }
    }

    private final Vertx vertx = Vertx.vertx();
    private final Pool pool;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AuditWriter writer;
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean stopping;

    /** A writer on its own pool of the service's size (16) as {@code user}, on its own Vert.x. */
    public WriterLoad(String reactiveUrl, String user, String password) {
        PgConnectOptions options = PgConnectOptions.fromUri(reactiveUrl).setUser(user).setPassword(password)
                .setCachePreparedStatements(true);
        this.pool = Pool.newInstance(PgBuilder.pool().with(new PoolOptions().setMaxSize(16)).connectingTo(options)
                .using(vertx).build());
        AuditWriter.Settings defaults = new AuditWriter.Settings(AuditMode.FAIL_CLOSED, 256, Duration.ZERO, 2, 20_000,
                Duration.ofSeconds(2), Duration.ofSeconds(2));
        this.writer = new AuditWriter(new PostgresAuditSink(pool), vertx, new BrokerMetrics(registry), defaults);
    }

    /** {@code inFlight} rows at all times for {@code warmup}, then measured for {@code duration}; then drained. */
    public Result run(String tenant, int inFlight, Duration warmup, Duration duration) throws InterruptedException {
        Context context = vertx.getOrCreateContext();
        context.runOnContext(start -> {
            for (int i = 0; i < inFlight; i++) {
                next(tenant);
            }
        });
        Thread.sleep(warmup.toMillis());
        DistributionSummary batches = registry.find("rcm.audit.batch.size").summary();
        long rowsBefore = committed.get();
        long batchCountBefore = batches.count();
        double batchRowsBefore = batches.totalAmount();
        long started = System.nanoTime();
        Thread.sleep(duration.toMillis());
        long rows = committed.get() - rowsBefore;
        double seconds = (System.nanoTime() - started) / 1e9;
        long batchCount = batches.count() - batchCountBefore;
        double meanBatch = batchCount == 0 ? 0 : (batches.totalAmount() - batchRowsBefore) / batchCount;
        stopping = true;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (writer.queued() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return new Result(rows, seconds, meanBatch, failed.get(), committed.get());
    }

    private void next(String tenant) {
        if (stopping) {
            return;
        }
        AuditEvent row = new AuditEvent(tenant, "portal-" + (committed.get() & 15), null, AccessType.RETRIEVE,
                "spiffe://rcm.local/tenant/" + tenant + "/worker", "127.0.0.1", "writer-load", true, null, false, Instant.now());
        writer.record(row, failure -> {
            (failure == null ? committed : failed).incrementAndGet();
            next(tenant);
        });
    }

    @Override
    public void close() {
        pool.closeAndAwait();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
