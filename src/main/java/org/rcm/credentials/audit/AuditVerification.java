package org.rcm.credentials.audit;

import static org.rcm.credentials.reactive.Timestamps.utc;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.rcm.credentials.error.BrokerException;

/**
 * VerifyAuditLog: recomputes a tenant's {@linkplain AuditChain hash chains} over a time range
 * and finds the first broken row. Rows stream from one cursor in chain order (with a
 * {@linkplain #MARGIN margin} around the range); memory holds one row per chain.
 *
 * <p>A row breaks its chain when its hash does not match its fields and the hash of the row
 * before it (altered), when rows are missing before it (removed), when another row holds its
 * place (inserted), or when it has no chain but is newer than chained rows (inserted). The first row of a chain in the range must follow the row before the range, or
 * the last row of a partition that retention dropped, or be the chain's first row. Rows
 * written before chains existed are counted, not judged. Removing the newest rows of a chain
 * cannot be told from the chain alone: each chain's last hash is where an outside record of
 * the log (a copy, a digest kept elsewhere) takes over.
 */
@ApplicationScoped
public class AuditVerification {

    /** The outcome: {@code firstBrokenId} and {@code finding} when not intact. */
    public record Result(long rowsChecked, boolean intact, long firstBrokenId, String finding, long unchainedRows,
            int chains) {
    }

    private static final int FETCH = 2_000;
    /**
     * A row's place in its chain follows when its batch was taken, its {@code accessed_at} when
     * its call started: neighbours in a chain may lie on either side of a range's bound. Rows
     * this far around the range are read too, so that they link the rows in it; only rows in
     * the range are counted and judged.
     */
    private static final Duration MARGIN = Duration.ofMinutes(10);
    private static final String ROWS = """
            SELECT id, portal_id, secret_arn, access_type, access_by, host(ip_address), user_agent, success, error_message,
                   unexpected_ip, accessed_at, failure_burst, chain_id, chain_seq, row_hash
              FROM credential_access_log
             WHERE tenant_id = $1 AND accessed_at >= $2 AND accessed_at < $3
             ORDER BY chain_id NULLS LAST, chain_seq, id""";
    private static final String BEFORE = """
            SELECT chain_id, chain_seq, row_hash FROM credential_access_log
             WHERE tenant_id = $1 AND accessed_at < $2 AND (chain_id, chain_seq) IN (SELECT * FROM unnest($3::uuid[], $4::int8[]))
            UNION ALL
            SELECT chain_id, chain_seq, row_hash FROM credential_access_log_cut
             WHERE tenant_id = $1 AND (chain_id, chain_seq) IN (SELECT * FROM unnest($3::uuid[], $4::int8[]))""";

    private final Pool pool;

    public AuditVerification(Pool pool) {
        this.pool = pool;
    }

    /**
     * Verifies {@code tenant}'s rows with {@code since <= accessed_at < until}; a null
     * {@code since} is the oldest row kept, a null {@code until} now.
     */
    public Uni<Result> verify(String tenant, Instant since, Instant until) {
        Instant from = since == null ? Instant.EPOCH : since;
        Instant to = until == null ? Instant.now() : until;
        if (!from.isBefore(to)) {
            return Uni.createFrom().failure(BrokerException.invalidInput("INVALID_TIME_RANGE", "since must be before until"));
        }
        Tuple window = Tuple.of(tenant, utc(from.minus(MARGIN)), utc(to.plus(MARGIN)));
        return pool.withTransaction(connection -> connection.prepare(ROWS)
                        .chain(statement -> {
                            Walk walk = new Walk(tenant, from, to);
                            return statement.createStream(FETCH, window).toMulti()
                                    .onItem().invoke(walk::accept)
                                    .collect().last()
                                    .replaceWith(walk);
                        }))
                .chain(walk -> walk.starts.isEmpty() ? Uni.createFrom().item(walk)
                        : pool.preparedQuery(BEFORE).execute(walk.startsQuery(utc(from.minus(MARGIN))))
                                .map(rows -> walk.checkStarts(rows)))
                .map(Walk::result);
    }

    /** A chain's first row read, checked once the row before it is known. */
    private record Start(UUID chain, long seq, AuditEvent event, byte[] rowHash, boolean asWritten, long id, Instant at) {
    }

    /** One pass over the rows in chain order. */
    private static final class Walk {
        private final String tenant;
        private final Instant since;
        private final Instant until;
        private final MessageDigest sha256 = AuditChain.sha256();
        private final List<Start> starts = new ArrayList<>();
        private final Set<UUID> chains = new HashSet<>();
        private long rows;
        private long unchained;
        /** The last row read: its chain, place, hash, and the hash before it (null when not known yet). */
        private UUID chain;
        private long seq;
        private byte[] hash;
        private byte[] previousHash;
        private Instant firstChainedAt;
        private long brokenId;
        private Instant brokenAt;
        private String finding;

        Walk(String tenant, Instant since, Instant until) {
            this.tenant = tenant;
            this.since = since;
            this.until = until;
        }

        void accept(Row row) {
            long id = row.getLong(0);
            Instant at = row.getOffsetDateTime(10).toInstant();
            boolean inRange = !at.isBefore(since) && at.isBefore(until);
            rows += inRange ? 1 : 0;
            UUID rowChain = row.getUUID(12);
            if (rowChain == null) {
                unchained += inRange ? 1 : 0;
                if (firstChainedAt != null && !at.isBefore(firstChainedAt)) {
                    broken(id, at, "a row without a chain among chained rows (inserted)");
                }
                return;
            }
            long rowSeq = row.getLong(13);
            byte[] own = row.getBuffer(14).getBytes();
            if (firstChainedAt == null || at.isBefore(firstChainedAt)) {
                firstChainedAt = at;
            }
            if (inRange) {
                chains.add(rowChain);
            }
            AuditEvent event = event(row, at);
            boolean written = asWritten(event, row);
            if (rowChain.equals(chain) && rowSeq == seq) {
                // the same row twice is a batch sent again after its answer was lost; anything else was inserted
                check(written && Arrays.equals(own, hash) && (previousHash == null || follows(rowChain, rowSeq, previousHash,
                        event, own)), id, at, "two different rows in one place of the chain (inserted)");
                return;
            }
            byte[] before = null;
            if (rowChain.equals(chain)) {
                check(rowSeq == seq + 1, id, at, "rows are missing before this one (removed)");
                before = hash;
            } else if (rowSeq == 1) {
                before = AuditChain.GENESIS;
            } else {
                starts.add(new Start(rowChain, rowSeq, event, own, written, id, at));
            }
            if (before != null) {
                check(written && follows(rowChain, rowSeq, before, event, own), id, at,
                        "its fields or the row before it do not match its hash (altered)");
            }
            chain = rowChain;
            seq = rowSeq;
            hash = own;
            previousHash = before;
        }

        private AuditEvent event(Row row, Instant at) {
            return new AuditEvent(tenant, row.getString(1), row.getString(2),
                    AccessType.valueOf(row.getString(3).toUpperCase(Locale.ROOT)), row.getString(4), row.getString(5),
                    row.getString(6), row.getBoolean(7), row.getString(8), row.getBoolean(9), at, row.getBoolean(11));
        }

        /** Whether {@code own} is the hash of the event after a row whose hash is {@code before}. */
        private boolean follows(UUID rowChain, long rowSeq, byte[] before, AuditEvent event, byte[] own) {
            return Arrays.equals(own, AuditChain.hash(sha256, rowChain, rowSeq, before, event));
        }

        /** Whether the row's texts are as the writer keeps them (constructing the event cleans them). */
        private static boolean asWritten(AuditEvent event, Row row) {
            return Objects.equals(event.portalId(), row.getString(1)) && Objects.equals(event.secretArn(), row.getString(2))
                    && event.accessBy().equals(row.getString(4)) && Objects.equals(event.userAgent(), row.getString(6))
                    && Objects.equals(event.errorMessage(), row.getString(8));
        }

        Tuple startsQuery(OffsetDateTime since) {
            return Tuple.of(tenant, since, starts.stream().map(Start::chain).toArray(UUID[]::new),
                    starts.stream().map(start -> start.seq() - 1).toArray(Long[]::new));
        }

        Walk checkStarts(Iterable<Row> before) {
            Map<String, byte[]> hashes = new HashMap<>();
            before.forEach(row -> hashes.put(row.getUUID(0) + "/" + row.getLong(1), row.getBuffer(2).getBytes()));
            for (Start start : starts) {
                byte[] previous = hashes.get(start.chain() + "/" + (start.seq() - 1));
                if (previous == null) {
                    broken(start.id(), start.at(), "rows are missing before this one (removed)");
                } else {
                    check(start.asWritten() && follows(start.chain(), start.seq(), previous, start.event(), start.rowHash()),
                            start.id(), start.at(), "its fields or the row before it do not match its hash (altered)");
                }
            }
            return this;
        }

        private void check(boolean holds, long id, Instant at, String what) {
            if (!holds) {
                broken(id, at, what);
            }
        }

        /** Keeps the earliest broken row in the range. */
        private void broken(long id, Instant at, String what) {
            if (at.isBefore(since) || !at.isBefore(until)) {
                return;
            }
            if (brokenAt == null || at.isBefore(brokenAt) || at.equals(brokenAt) && id < brokenId) {
                brokenId = id;
                brokenAt = at;
                finding = what;
            }
        }

        Result result() {
            return new Result(rows, brokenAt == null, brokenId, finding == null ? "" : finding, unchained, chains.size());
        }
    }
}
