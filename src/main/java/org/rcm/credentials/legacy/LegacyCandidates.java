package org.rcm.credentials.legacy;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.reactive.VertxContexts;

/** Which of a tenant's portals the legacy migration and purge work on, a page at a time in portal order. */
@ApplicationScoped
public class LegacyCandidates {

    private static final String WITH_LEGACY_CREDENTIALS = """
            SELECT portal_id FROM integration_endpoint
             WHERE tenant_id = $1 AND portal_id > $2 AND config ? 'credentials' AND ($3 OR secret_arn IS NULL)
             ORDER BY portal_id LIMIT $4""";
    private static final String NOTHING_TO_MIGRATE = """
            SELECT count(*) FROM integration_endpoint
             WHERE tenant_id = $1 AND portal_id > $2 AND ($3::text IS NULL OR portal_id <= $3)
               AND NOT (config ? 'credentials' AND secret_arn IS NULL)""";

    private final Pool pool;
    private final Duration timeout;

    public LegacyCandidates(Pool pool, BrokerConfig config) {
        this.pool = pool;
        this.timeout = config.databaseTimeout();
    }

    /**
     * One page of the tenant's portals that hold legacy {@code config.credentials}, in portal
     * order after {@code after}: those without a secret only (to migrate), or also the migrated
     * ones (to purge).
     */
    public Uni<List<String>> page(String tenant, String after, boolean withSecret, int limit) {
        return bounded(pool.preparedQuery(WITH_LEGACY_CREDENTIALS)
                .execute(Tuple.of(tenant, after, withSecret, limit))
                .map(rows -> StreamSupport.stream(rows.spliterator(), false)
                        .map(row -> row.getString(0))
                        .toList()));
    }

    /**
     * The tenant's portals after {@code after}, up to {@code through} (null: to the end), that
     * the migration leaves alone: no legacy credentials, or a secret already.
     */
    public Uni<Long> countNothingToMigrate(String tenant, String after, String through) {
        return bounded(pool.preparedQuery(NOTHING_TO_MIGRATE)
                .execute(Tuple.of(tenant, after, through))
                .map(rows -> rows.iterator().next().getLong(0)));
    }

    private <T> Uni<T> bounded(Uni<T> query) {
        return VertxContexts.database(query, timeout);
    }
}
