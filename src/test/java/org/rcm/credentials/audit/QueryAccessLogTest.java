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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.AccessLogEntry;
import org.rcm.credentials.api.v1.AccessType;
import org.rcm.credentials.api.v1.CredentialAdminServiceGrpc.CredentialAdminServiceBlockingStub;
import org.rcm.credentials.api.v1.QueryAccessLogRequest;
import org.rcm.credentials.api.v1.QueryAccessLogResponse;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestGrpc;

/**
 * QueryAccessLog: every row of the tenant once, newest first, through signed keyset page
 * tokens; filters; nothing of another tenant; bad input refused; served from the indexes.
 */
@QuarkusTest
class QueryAccessLogTest {

    /** The seeded rows lie in 2026-01-01 .. 2026-01-02; queries end before the test's own audit rows. */
    private static final Instant UNTIL = Instant.parse("2026-02-01T00:00:00Z");
    private static final int ROWS = 10_000;

    private final String tenant = "qlog-" + UUID.randomUUID();
    private final CredentialAdminServiceBlockingStub admin = Broker.admin(TestGrpc.channel(tenant, "admin"));

    @Test
    void pagingThroughTenThousandRowsReturnsEachOnceNewestFirst() throws SQLException {
        seed(tenant, ROWS);

        List<AccessLogEntry> all = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            QueryAccessLogResponse page = admin.queryAccessLog(query(b -> b.setPageSize(1000)).setPageToken(token).build());
            all.addAll(page.getEntriesList());
            token = page.getNextPageToken();
            pages++;
        } while (!token.isEmpty());

        assertEquals(ROWS, all.size());
        assertEquals(10, pages);
        Set<String> seen = new HashSet<>();
        all.forEach(entry -> seen.add(entry.getUserAgent()));
        assertEquals(ROWS, seen.size(), "each row once");
        for (int i = 1; i < all.size(); i++) {
            assertThat(instant(all.get(i).getAccessedAt())).isBeforeOrEqualTo(instant(all.get(i - 1).getAccessedAt()));
        }
        AccessLogEntry newest = all.get(0);
        assertEquals(AccessType.ACCESS_TYPE_RETRIEVE, newest.getAccessType());
        assertEquals("ua-" + (ROWS - 1), newest.getUserAgent());
        AuditLog.Row audited = AuditLog.last(tenant);
        assertEquals("admin", audited.accessType());
        assertEquals(true, audited.success());
    }

    @Test
    void filtersByPortalAndTimeAndNeverShowsAnotherTenantsRows() throws SQLException {
        seed(tenant, 700);
        String otherTenant = "qlog-other-" + UUID.randomUUID();
        seed(otherTenant, 50);

        QueryAccessLogResponse portal3 = admin.queryAccessLog(query(b -> b.setPortalId("p-3").setPageSize(1000)).build());
        QueryAccessLogResponse window = admin.queryAccessLog(query(b -> b
                .setSince(timestamp(Instant.parse("2026-01-01T00:01:00Z")))
                .setUntil(timestamp(Instant.parse("2026-01-01T00:02:00Z"))).setPageSize(1000)).build());
        QueryAccessLogResponse others = Broker.admin(TestGrpc.channel(otherTenant, "admin"))
                .queryAccessLog(query(b -> b.setPageSize(1000)).build());

        assertEquals(100, portal3.getEntriesCount());
        assertThat(portal3.getEntriesList()).allSatisfy(entry -> assertEquals("p-3", entry.getPortalId()));
        assertEquals(180, window.getEntriesCount(), "60 seconds of three rows each");
        assertThat(window.getEntriesList()).allSatisfy(entry -> assertThat(instant(entry.getAccessedAt()))
                .isBetween(Instant.parse("2026-01-01T00:01:00Z"), Instant.parse("2026-01-01T00:01:59Z")));
        assertEquals(50, others.getEntriesCount());
    }

    @Test
    void aTokenThatWasAlteredOrIssuedToAnotherTenantOrQueryIsRefused() throws SQLException {
        seed(tenant, 30);
        String token = admin.queryAccessLog(query(b -> b.setPageSize(10)).build()).getNextPageToken();
        char fifth = token.charAt(5);
        String altered = token.substring(0, 5) + (fifth == 'A' ? 'B' : 'A') + token.substring(6);
        CredentialAdminServiceBlockingStub otherTenant = Broker.admin(TestGrpc.channel("qlog-other-" + UUID.randomUUID(), "admin"));

        assertInvalid("page_token is not one this service gave for this query", () -> admin.queryAccessLog(
                query(b -> b.setPageSize(10).setPageToken(altered)).build()));
        assertInvalid("page_token is not one this service gave for this query", () -> admin.queryAccessLog(
                query(b -> b.setPageSize(10).setPageToken("garbage")).build()));
        assertInvalid("page_token is not one this service gave for this query", () -> otherTenant.queryAccessLog(
                query(b -> b.setPageSize(10).setPageToken(token)).build()));
        assertInvalid("page_token is not one this service gave for this query", () -> admin.queryAccessLog(
                query(b -> b.setPageSize(10).setPortalId("p-1").setPageToken(token)).build()));
        assertInvalid("page_size must be 1..1000 (0 means 100)", () -> admin.queryAccessLog(
                query(b -> b.setPageSize(1001)).build()));
        assertInvalid("since must be before until", () -> admin.queryAccessLog(query(b -> b.setSince(timestamp(UNTIL))).build()));
        assertEquals(10, admin.queryAccessLog(query(b -> b.setPageSize(10).setPageToken(token)).build()).getEntriesCount());
    }

    @Test
    void bothQueriesAreServedByTheirIndexes() throws SQLException {
        seed(tenant, 2000);
        try (Connection c = TestEnvironment.database().connect(); Statement s = c.createStatement()) {
            s.execute("ANALYZE credential_access_log");
            s.execute("SET plan_cache_mode = force_generic_plan");
            s.execute("PREPARE tenant_page AS " + AccessLogQuery.TENANT_PAGE);
            s.execute("PREPARE portal_page AS " + AccessLogQuery.PORTAL_PAGE);
            String args = "('" + tenant + "', %s, '0001-01-01', '2026-02-01', -9223372036854775808, 101)";

            // each monthly partition's copy of the parent's index (named after the partition and the columns, cut to 63 characters)
            assertThat(plan(s, "EXPLAIN EXECUTE tenant_page" + args.formatted("NULL")))
                    .containsPattern("Index Scan using credential_access_log_y\\d{4}m\\d{2}_tenant_id_accessed_at_id_idx")
                    .doesNotContain("Seq Scan");
            assertThat(plan(s, "EXPLAIN EXECUTE portal_page" + args.formatted("'p-1'")))
                    .containsPattern("Index Scan using credential_access_log_y\\d{4}m\\d{1,2}_tenant_id_portal_id_accessed")
                    .doesNotContain("Seq Scan");
        }
    }

    private static String plan(Statement statement, String explain) throws SQLException {
        StringBuilder plan = new StringBuilder();
        try (ResultSet rows = statement.executeQuery(explain)) {
            while (rows.next()) {
                plan.append(rows.getString(1)).append('\n');
            }
        }
        return plan.toString();
    }

    /** {@code rows} rows of {@code tenant}: three a second from 2026-01-01, portals p-0..p-6, user agent ua-{i}. */
    private static void seed(String tenant, int rows) throws SQLException {
        try (Connection c = TestEnvironment.database().connect(); Statement s = c.createStatement()) {
            s.execute("SELECT credential_access_log_add_partitions('2026-01-01Z', '2026-01-01Z')");
            s.execute("INSERT INTO credential_access_log (tenant_id, portal_id, access_type, access_by, user_agent, success,"
                    + " accessed_at) SELECT '" + tenant + "', 'p-' || (i % 7), 'retrieve', 'spiffe://test.rcm/tenant/"
                    + tenant + "/worker', 'ua-' || i, true, '2026-01-01T00:00:00Z'::timestamptz + (i / 3) * interval '1 second'"
                    + " FROM generate_series(0, " + (rows - 1) + ") AS i");
        }
    }

    private static QueryAccessLogRequest.Builder query(UnaryOperator<QueryAccessLogRequest.Builder> filters) {
        return filters.apply(QueryAccessLogRequest.newBuilder().setUntil(timestamp(UNTIL)));
    }

    private static void assertInvalid(String message, Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals(message, e.getStatus().getDescription());
    }

    private static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    private static Instant instant(Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }
}
