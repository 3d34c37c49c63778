package org.rcm.credentials.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.pgclient.PgException;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.CredentialAdminServiceGrpc.CredentialAdminServiceBlockingStub;
import org.rcm.credentials.api.v1.VerifyAuditLogRequest;
import org.rcm.credentials.api.v1.VerifyAuditLogResponse;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Db;
import org.rcm.credentials.support.Metrics;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestGrpc;

/**
 * Retention: the partition job drops whole months older than the retention period (six years
 * here, the default), creates the coming months, and a chain whose first rows were dropped
 * still verifies from its oldest kept row.
 */
@QuarkusTest
class AuditPartitionsTest {

    @Inject
    AuditPartitions partitions;

    @Inject
    MeterRegistry registry;

    private final String tenant = "retention-" + UUID.randomUUID();
    private final CredentialAdminServiceBlockingStub admin = Broker.admin(TestGrpc.channel(tenant, "admin"));

    @Test
    void monthsPastTheRetentionPeriodAreDroppedAndTheChainVerifiesFromItsOldestKeptRow() throws SQLException {
        Instant sevenYearsAgo = Instant.now().minus(Duration.ofDays(7 * 366));
        YearMonth oldMonth = YearMonth.from(sevenYearsAgo.atOffset(ZoneOffset.UTC));
        Db.count("SELECT credential_access_log_add_partitions(?::timestamptz, ?::timestamptz)", sevenYearsAgo.toString(),
                sevenYearsAgo.toString());
        AuditChain chain = new AuditChain();
        for (int i = 0; i < 5; i++) {
            Instant at = i < 3 ? sevenYearsAgo.plusSeconds(i) : Instant.now().minusSeconds(60 - i);
            ChainedRows.insert(chain, new AuditEvent(tenant, "p-" + i, null, AccessType.RETRIEVE, "worker", i % 2 == 0 ? "::1" : "10.0.0." + i,
                    "ua/" + i, i != 2, i != 2 ? null : "denied", false, at));
        }
        assertIntact(verify(), 5);
        double droppedBefore = Metrics.count(registry, "rcm.audit.partitions", "action", "dropped");

        AuditPartitions.Run run = partitions.run(Instant.now()).await().atMost(Duration.ofSeconds(30));

        assertThat(run.dropped()).contains(oldMonth);
        assertEquals(2, Db.count("SELECT count(*) FROM credential_access_log WHERE tenant_id = ? AND user_agent LIKE 'ua/%'",
                tenant));
        assertEquals(3, Db.count("SELECT chain_seq FROM credential_access_log_cut WHERE tenant_id = ?", tenant));
        assertIntact(verify(), 3); // the two kept, and the first VerifyAuditLog's own row (the broker's chain)
        assertThat(Metrics.count(registry, "rcm.audit.partitions", "action", "dropped")).isGreaterThan(droppedBefore);
        String ahead = "credential_access_log_"
                + YearMonth.now(ZoneOffset.UTC).plusMonths(3).format(DateTimeFormatter.ofPattern("'y'yyyy'm'MM"));
        assertEquals(1, Db.count("SELECT count(*) FROM pg_class WHERE relname = ?", ahead));
    }

    @Test
    void theJobGivesUpRatherThanQueueTheAuditInsertsBehindALongReader() throws Exception {
        Instant eightYearsAgo = Instant.now().minus(Duration.ofDays(8 * 366));
        Db.count("SELECT credential_access_log_add_partitions(?::timestamptz, ?::timestamptz)", eightYearsAgo.toString(),
                eightYearsAgo.toString());
        try (Connection reader = TestEnvironment.database().connect()) {
            reader.setAutoCommit(false);
            reader.createStatement().execute("SELECT count(*) FROM credential_access_log"); // holds its lock until the end

            PgException gaveUp = assertThrows(PgException.class,
                    () -> partitions.run(Instant.now()).await().atMost(Duration.ofSeconds(10)));
            assertEquals("55P03", gaveUp.getSqlState(), "lock_not_available, not a wait for the reader");

            reader.rollback();
        }
        assertThat(partitions.run(Instant.now()).await().atMost(Duration.ofSeconds(30)).dropped())
                .contains(YearMonth.from(eightYearsAgo.atOffset(ZoneOffset.UTC)));
    }

    @Test
    void theJobKeepsTheMonthsOfTheRetentionPeriod() throws Exception {
        // the oldest month kept: retention-months (72) before this one
        Instant oldestKept = YearMonth.now(ZoneOffset.UTC).minusMonths(72).atDay(2).atStartOfDay(ZoneOffset.UTC).toInstant();
        Db.count("SELECT credential_access_log_add_partitions(?::timestamptz, ?::timestamptz)", oldestKept.toString(),
                oldestKept.toString());
        ChainedRows.insert(new AuditChain(), new AuditEvent(tenant, "p", null, AccessType.RETRIEVE, "worker", "10.0.0.1", null,
                true, null, false, oldestKept));

        AuditPartitions.Run run = partitions.run(Instant.now()).await().atMost(Duration.ofSeconds(30));

        assertThat(run.dropped()).doesNotContain(YearMonth.from(oldestKept.atOffset(ZoneOffset.UTC)));
        assertEquals(1, Db.count("SELECT count(*) FROM credential_access_log WHERE tenant_id = ?", tenant));
    }

    private VerifyAuditLogResponse verify() {
        return admin.verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance());
    }

    private static void assertIntact(VerifyAuditLogResponse verified, long rows) {
        assertThat(verified.getIntact()).as(verified.getFinding()).isTrue();
        assertEquals(rows, verified.getRowsChecked());
    }
}
