package org.rcm.credentials.audit;

import static org.rcm.credentials.reactive.Timestamps.utc;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.rcm.credentials.config.BrokerClock;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.reactive.VertxContexts;

/**
 * QueryAccessLog: the caller's tenant's access log, newest first, a page at a time. Pages
 * follow a keyset ({@code accessed_at, id}) on the indexes {@code (tenant_id, accessed_at DESC,
 * id DESC)} and {@code (tenant_id, portal_id, accessed_at DESC, id DESC)}, so a page costs the
 * same however deep it is; the token that names the next page is signed ({@link PageTokens}),
 * bound to the tenant and the query, so it cannot be forged, altered or replayed elsewhere.
 */
@ApplicationScoped
public class AccessLogQuery {

    /** One row as the RPC shows it; {@code portalId}, {@code ipAddress} and the texts may be null. */
    public record Entry(String portalId, String accessType, String accessBy, String ipAddress, String userAgent,
            boolean success, String errorMessage, Instant accessedAt, boolean unexpectedIp) {
    }

    /** A page; {@code nextPageToken} empty on the last. */
    public record Page(List<Entry> entries, String nextPageToken) {
    }

    /** The query: {@code portalId} null for every portal, {@code since}/{@code until} null when unset. */
    public record Query(String portalId, Instant since, Instant until, int pageSize, String pageToken) {
    }

    static final int DEFAULT_PAGE_SIZE = 100;
    static final int MAX_PAGE_SIZE = 1000;
    private static final String COLUMNS = "SELECT id, portal_id, access_type, access_by, host(ip_address), user_agent,"
            + " success, error_message, accessed_at, unexpected_ip FROM credential_access_log WHERE tenant_id = $1";
    private static final String PAGE = " AND accessed_at >= $3 AND (accessed_at, id) < ($4, $5)"
            + " ORDER BY accessed_at DESC, id DESC LIMIT $6";
    static final String TENANT_PAGE = COLUMNS + " AND $2::text IS NULL" + PAGE;
    static final String PORTAL_PAGE = COLUMNS + " AND portal_id = $2" + PAGE;
    private static final OffsetDateTime BEGINNING = OffsetDateTime.parse("0001-01-01T00:00:00Z");

    private final Pool pool;
    private final BrokerClock clock;
    private final PageTokens tokens;
    private final Duration timeout;

    public AccessLogQuery(Pool pool, BrokerClock clock, BrokerConfig config) {
        this.pool = pool;
        this.clock = clock;
        this.tokens = PageTokens.fromBase64Key(config.idempotency().key());
        this.timeout = config.databaseTimeout();
    }

    /** One page of the tenant's access log. INVALID_ARGUMENT for a bad page size, time range or token. */
    public Uni<Page> page(String tenant, Query query) {
        int size = pageSize(query.pageSize());
        if (query.since() != null && query.until() != null && !query.since().isBefore(query.until())) {
            throw BrokerException.invalidInput("INVALID_TIME_RANGE", "since must be before until");
        }
        PageTokens.Cursor cursor = query.pageToken().isEmpty() ? null
                : tokens.read(query.pageToken(), tenant, query.portalId(), query.since(), query.until());
        // the first page fixes "until" (unset: now); later pages keep it through their token
        Instant until = cursor != null ? cursor.until() : query.until() != null ? query.until() : clock.now();
        Instant at = cursor != null ? cursor.accessedAt() : until;
        long id = cursor != null ? cursor.id() : Long.MIN_VALUE;
        Tuple parameters = Tuple.tuple().addValue(tenant).addValue(query.portalId())
                .addValue(query.since() == null ? BEGINNING : utc(query.since())).addValue(utc(at)).addValue(id)
                .addValue(size + 1);
        return VertxContexts.database(pool.preparedQuery(query.portalId() == null ? TENANT_PAGE : PORTAL_PAGE)
                        .execute(parameters), timeout)
                .map(rows -> {
                    List<Entry> entries = new ArrayList<>(size);
                    long lastId = 0;
                    Instant lastAt = null;
                    for (Row row : rows) {
                        if (entries.size() == size) {
                            return new Page(entries, tokens.write(tenant, query.portalId(), query.since(),
                                    new PageTokens.Cursor(until, lastAt, lastId)));
                        }
                        lastId = row.getLong(0);
                        lastAt = row.getOffsetDateTime(8).toInstant();
                        entries.add(new Entry(row.getString(1), row.getString(2), row.getString(3), row.getString(4),
                                row.getString(5), row.getBoolean(6), row.getString(7), lastAt, row.getBoolean(9)));
                    }
                    return new Page(entries, "");
                });
    }

    private static int pageSize(int size) {
        if (size == 0) {
            return DEFAULT_PAGE_SIZE;
        }
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw BrokerException.invalidInput("INVALID_PAGE_SIZE", "page_size must be 1.." + MAX_PAGE_SIZE
                    + " (0 means " + DEFAULT_PAGE_SIZE + ")");
        }
        return size;
    }

}
