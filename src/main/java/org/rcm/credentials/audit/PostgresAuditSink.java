package org.rcm.credentials.audit;

import static org.rcm.credentials.reactive.Timestamps.utc;

import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * The access log in Postgres: a batch is one multi-row INSERT of {@code credential_access_log}.
 * A batch sent again skips the rows already written (its first send committed, but the answer
 * was lost with the connection): a row is found by its tenant, time and place in its hash chain,
 * through the tenant-and-time index, so a first send pays nothing for it.
 */
@ApplicationScoped
public class PostgresAuditSink implements AuditSink {

    private static final String COLUMNS = """
            tenant_id, portal_id, secret_arn, access_type, access_by, ip_address, user_agent, success,
            error_message, unexpected_ip, accessed_at, failure_burst, chain_id, chain_seq, row_hash""";
    private static final String ROWS = """
            unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                $6::text[]::inet[], $7::text[], $8::bool[], $9::text[], $10::bool[], $11::timestamptz[], $12::bool[],
                $13::uuid[], $14::int8[], $15::bytea[])""";
    private static final String INSERT = "INSERT INTO credential_access_log (" + COLUMNS + ") SELECT * FROM " + ROWS;
    private static final String INSERT_AGAIN = "INSERT INTO credential_access_log (" + COLUMNS + ") SELECT * FROM " + ROWS
            + " AS r(" + COLUMNS + ") WHERE NOT EXISTS (SELECT 1 FROM credential_access_log l"
            + " WHERE l.tenant_id = r.tenant_id AND l.accessed_at = r.accessed_at"
            + " AND l.chain_id = r.chain_id AND l.chain_seq = r.chain_seq)";

    private final Pool pool;

    public PostgresAuditSink(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Uni<Void> write(List<AuditChain.Chained> rows, boolean sentBefore) {
        return pool.preparedQuery(sentBefore ? INSERT_AGAIN : INSERT).execute(toColumns(rows)).replaceWithVoid();
    }

    /** A data exception or integrity constraint violation (SQLSTATE class 22 or 23). */
    @Override
    public boolean isDataError(Throwable failure) {
        if (failure instanceof PgException pg && pg.getSqlState() != null) {
            return pg.getSqlState().startsWith("22") || pg.getSqlState().startsWith("23");
        }
        return false;
    }

    /** Its type and SQLSTATE. */
    @Override
    public String describe(Throwable failure) {
        if (failure instanceof PgException pg) {
            return "SQLSTATE " + pg.getSqlState();
        }
        return failure.getClass().getSimpleName();
    }

    private static Tuple toColumns(List<AuditChain.Chained> batch) {
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
        Boolean[] burst = new Boolean[n];
        UUID[] chain = new UUID[n];
        Long[] seq = new Long[n];
        Buffer[] hash = new Buffer[n];
        for (int i = 0; i < n; i++) {
            AuditEvent e = batch.get(i).event();
            AuditChain.Link link = batch.get(i).link();
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
            at[i] = utc(e.accessedAt());
            burst[i] = e.failureBurst();
            chain[i] = link.chainId();
            seq[i] = link.seq();
            hash[i] = Buffer.buffer(link.rowHash());
        }
        return Tuple.tuple(List.of(tenant, portal, arn, type, by, ip, agent, success, error, unexpectedIp, at, burst,
                chain, seq, hash));
    }
}
