package org.rcm.credentials.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.CredentialAdminServiceGrpc.CredentialAdminServiceBlockingStub;
import org.rcm.credentials.api.v1.VerifyAuditLogRequest;
import org.rcm.credentials.api.v1.VerifyAuditLogResponse;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestGrpc;

/**
 * Tamper evidence: the rows the broker writes form an unbroken hash chain, and a row altered,
 * removed or inserted by someone with every right on the database (triggers off) is found by
 * VerifyAuditLog, at that row.
 */
@QuarkusTest
class AuditChainTest {

    private final String tenant = "chain-" + UUID.randomUUID();
    private final CredentialAdminServiceBlockingStub admin = Broker.admin(TestGrpc.channel(tenant, "admin"));

    @Test
    void theRowsTheBrokerWritesVerify() {
        calls(6);
        long rows = AuditLog.count(tenant);

        VerifyAuditLogResponse verified = admin.verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance());

        assertThat(verified.getIntact()).isTrue();
        assertEquals(rows, verified.getRowsChecked());
        assertEquals(0, verified.getFirstBrokenId());
        assertEquals("", verified.getFinding());
        assertEquals(0, verified.getUnchainedRows());
        assertThat(verified.getChains()).isEqualTo(1);
        assertEquals("admin", AuditLog.last(tenant).accessType());
    }

    @Test
    void anAlteredRowIsFound() throws SQLException {
        List<Long> ids = calls(6);

        tamper("UPDATE credential_access_log SET success = false, error_message = 'denied' WHERE id = " + ids.get(3));

        assertBrokenAt(ids.get(3), "altered");
    }

    @Test
    void aRemovedRowIsFoundAtTheRowAfterIt() throws SQLException {
        List<Long> ids = calls(6);

        tamper("DELETE FROM credential_access_log WHERE id = " + ids.get(2));

        assertBrokenAt(ids.get(3), "removed");
    }

    @Test
    void aRowInsertedWithoutAChainIsFound() throws SQLException {
        List<Long> ids = calls(6);

        long inserted = insertCopyOf(ids.get(2), "NULL, NULL, NULL");

        assertBrokenAt(inserted, "inserted");
    }

    @Test
    void aRowInsertedInAnotherRowsPlaceIsFound() throws SQLException {
        List<Long> ids = calls(6);

        long inserted = insertCopyOf(ids.get(2), "chain_id, chain_seq, row_hash");

        assertBrokenAt(inserted, "inserted");
    }

    @Test
    void aRangeThatStartsInsideAChainMustFollowTheRowBeforeIt() throws SQLException {
        List<Long> ids = calls(6);
        Instant third = accessedAt(ids.get(2));
        VerifyAuditLogRequest fromThird = VerifyAuditLogRequest.newBuilder().setSince(timestamp(third)).build();
        assertThat(admin.verifyAuditLog(fromThird).getIntact()).isTrue();

        tamper("DELETE FROM credential_access_log WHERE id = " + ids.get(1));

        VerifyAuditLogResponse verified = admin.verifyAuditLog(fromThird);
        assertThat(verified.getIntact()).isFalse();
        assertEquals(ids.get(2), verified.getFirstBrokenId());
    }

    @Test
    void neighboursInAChainMayLieOnEitherSideOfTheRangesBound() throws SQLException {
        // a call's row is chained when its batch is taken, its time is when the call started:
        // here seq 3 started before seq 2 (a slower call), and the range starts between them
        Instant t0 = Instant.now().minusSeconds(60);
        AuditChain chain = new AuditChain();
        for (int offset : new int[] {0, 2000, 1000, 3000}) {
            ChainedRows.insert(chain, new AuditEvent(tenant, "p", null, AccessType.RETRIEVE, "worker", "10.0.0.1", null, true,
                    null, false, t0.plusMillis(offset)));
        }

        VerifyAuditLogResponse verified = admin.verifyAuditLog(VerifyAuditLogRequest.newBuilder()
                .setSince(timestamp(t0.plusMillis(1500))).setUntil(timestamp(t0.plusMillis(3500))).build());

        assertThat(verified.getIntact()).as(verified.getFinding()).isTrue();
        assertEquals(2, verified.getRowsChecked(), "seq 2 and 4 lie in the range; seq 3, before it, links them");
        assertEquals(1, verified.getChains());
    }

    @Test
    void aRangeThatIsNotARangeIsRefused() {
        Instant now = Instant.now();
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> admin.verifyAuditLog(
                VerifyAuditLogRequest.newBuilder().setSince(timestamp(now)).setUntil(timestamp(now)).build()));

        assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
        assertThat(refused.getStatus().getDescription()).isEqualTo("since must be before until");
    }

    /** Registers a portal and reads it until the tenant has {@code rows} rows; their ids in chain order. */
    private List<Long> calls(int rows) {
        String portal = Broker.newPortal();
        Broker.registerAndStore(TestGrpc.channel(tenant, "admin"), portal, "secret-1");
        while (AuditLog.count(tenant) < rows) {
            Broker.credentials(TestGrpc.channel(tenant, "worker")).getCredentials(
                    org.rcm.credentials.api.v1.GetCredentialsRequest.newBuilder().setPortalId(portal).build());
        }
        List<Long> ids = new ArrayList<>();
        try (Connection c = TestEnvironment.database().connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id FROM credential_access_log WHERE tenant_id = '" + tenant
                        + "' ORDER BY chain_seq")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return ids;
    }

    private void assertBrokenAt(long id, String finding) {
        VerifyAuditLogResponse verified = admin.verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance());

        assertThat(verified.getIntact()).isFalse();
        assertEquals(id, verified.getFirstBrokenId());
        assertThat(verified.getFinding()).contains(finding);
    }

    /** A copy of row {@code id} with another user agent, its chain columns as {@code chainColumns}; its id. */
    private static long insertCopyOf(long id, String chainColumns) throws SQLException {
        try (Connection c = superuser(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("INSERT INTO credential_access_log (tenant_id, portal_id, secret_arn,"
                        + " access_type, access_by, ip_address, user_agent, success, error_message, accessed_at, chain_id,"
                        + " chain_seq, row_hash) SELECT tenant_id, portal_id, secret_arn, access_type, access_by,"
                        + " ip_address, 'forged', success, error_message, accessed_at, " + chainColumns
                        + " FROM credential_access_log WHERE id = " + id + " RETURNING id")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Instant accessedAt(long id) throws SQLException {
        try (Connection c = superuser(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT accessed_at FROM credential_access_log WHERE id = " + id)) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        }
    }

    /** Runs {@code sql} with every right and no trigger: what the append-only trigger never lets the broker do. */
    private static void tamper(String sql) throws SQLException {
        try (Connection c = superuser(); Statement s = c.createStatement()) {
            s.execute("SET session_replication_role = replica");
            s.execute(sql);
        }
    }

    private static Connection superuser() throws SQLException {
        return TestEnvironment.database().connect();
    }

    private static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }
}
