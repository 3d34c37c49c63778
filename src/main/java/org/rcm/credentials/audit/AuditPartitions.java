package org.rcm.credentials.audit;

import static org.rcm.credentials.reactive.Timestamps.utc;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;
import org.rcm.credentials.metrics.BrokerMetrics;
import org.rcm.credentials.reactive.VertxContexts;

/**
 * The access log's monthly partitions (migration V14): the job, at start and every
 * {@code rcm.audit.partitions.job-interval} on every replica, creates the partitions of the
 * coming months and drops the months older than the retention period, whole, through the two
 * database functions the runtime role may call. The database refuses to drop anything younger
 * than its floor ({@code RCM_AUDIT_RETENTION_FLOOR}, fixed when the migrations run), whatever
 * this service asks.
 */
@ApplicationScoped
public class AuditPartitions {

    /** {@code rcm.audit.partitions.*}. */
    @ConfigMapping(prefix = "rcm.audit.partitions")
    public interface Config {
        /** Months of rows kept; older months are dropped whole. 0 keeps everything. Default: six years (HIPAA). */
        @WithDefault("72")
        int retentionMonths();

        /** Months created ahead of the current one. */
        @WithDefault("3")
        int monthsAhead();

        /** How often the job runs on each replica. */
        @WithDefault("6h")
        Duration jobInterval();

        /** When it first runs after start (the tests run it themselves). */
        @WithDefault("0s")
        Duration firstRunAfter();
    }

    /** What one run did: the months created, and the first day of each month dropped. */
    public record Run(int created, List<YearMonth> dropped) {
    }

    private static final Logger LOG = Logger.getLogger(AuditPartitions.class);

    private final Pool pool;
    private final Vertx vertx;
    private final BrokerMetrics metrics;
    private final Config config;

    public AuditPartitions(Pool pool, Vertx vertx, BrokerMetrics metrics, Config config) {
        this.pool = pool;
        this.vertx = vertx;
        this.metrics = metrics;
        this.config = config;
    }

    @Scheduled(every = "${rcm.audit.partitions.job-interval}", delayed = "${rcm.audit.partitions.first-run-after}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return run(Instant.now())
                .onFailure().invoke(e -> LOG.warnf("The audit log's partition job failed (%s); it runs again at its next"
                        + " time, and %d months are created ahead", e.getClass().getSimpleName(), config.monthsAhead()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** One run as of {@code now}, on a Vert.x context of its own (callable from any thread). */
    public Uni<Run> run(Instant now) {
        return VertxContexts.onNewContext(vertx, () -> create(now).chain(created -> drop(now)
                .map(dropped -> new Run(created, dropped))));
    }

    private Uni<Integer> create(Instant now) {
        YearMonth month = YearMonth.from(now.atOffset(ZoneOffset.UTC));
        return pool.preparedQuery("SELECT credential_access_log_add_partitions($1, $2)")
                .execute(Tuple.of(utc(now), utc(start(month.plusMonths(config.monthsAhead())))))
                .map(rows -> rows.iterator().next().getInteger(0))
                .invoke(created -> {
                    if (created > 0) {
                        metrics.auditPartitions("created", created);
                        LOG.infof("Created %d monthly partitions of the audit log ahead", created);
                    }
                });
    }

    /** Drops the months that end before the first day of the month {@code retention-months} ago. */
    private Uni<List<YearMonth>> drop(Instant now) {
        if (config.retentionMonths() <= 0) {
            return Uni.createFrom().item(List.of());
        }
        Instant cutoff = start(YearMonth.from(now.atOffset(ZoneOffset.UTC)).minusMonths(config.retentionMonths()));
        return pool.preparedQuery("SELECT * FROM credential_access_log_drop_partitions($1)")
                .execute(Tuple.of(utc(cutoff)))
                .map(rows -> {
                    List<YearMonth> dropped = new ArrayList<>();
                    for (Row row : rows) {
                        YearMonth month = YearMonth.from(row.getOffsetDateTime(0).withOffsetSameInstant(ZoneOffset.UTC));
                        dropped.add(month);
                        LOG.infof("Dropped the audit log's rows of %s: older than the retention period of %d months",
                                month, config.retentionMonths());
                    }
                    metrics.auditPartitions("dropped", dropped.size());
                    return dropped;
                });
    }

    private static Instant start(YearMonth month) {
        return month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
}
