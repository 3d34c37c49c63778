package org.rcm.credentials.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.vertx.RunOnVertxContext;
import io.quarkus.test.vertx.UniAsserter;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.audit.AccessLogRepository;
import org.rcm.credentials.endpoint.EndpointRepository;
import org.rcm.credentials.local.LocalPostgres;
import org.rcm.credentials.rotation.RotationScheduleRepository;
import org.rcm.credentials.support.TestEnvironment;

/** The versioned migrations build the schema from nothing, and Hibernate maps it as it is. */
@QuarkusTest
class MigrationTest {

    @Inject
    EndpointRepository endpoints;

    @Inject
    AccessLogRepository accessLog;

    @Inject
    RotationScheduleRepository schedules;

    @Test
    void migrationsApplyToAnEmptyDatabase() throws SQLException {
        LocalPostgres.Database empty = emptyDatabase("rcm_migration_");

        MigrateResult result = flyway(empty).load().migrate();

        assertThat(result.success).isTrue();
        assertThat(result.migrationsExecuted).isGreaterThanOrEqualTo(2);
        assertThat(tables(empty)).contains("integration_endpoint", "credential_access_log",
                "credential_rotation_schedule", "client_certificate");
    }

    @Test
    void v6DeletesIdempotencyRecordsThatHoldASaltedHash() throws SQLException {
        LocalPostgres.Database empty = emptyDatabase("rcm_migration_v6_");
        flyway(empty).target("4").load().migrate();
        try (Connection c = empty.connect()) {
            c.createStatement().execute("INSERT INTO idempotency_record"
                    + " (tenant_id, idempotency_key, operation, request_hash) VALUES"
                    + " ('t', 'salted', 'store', '00112233445566778899aabbccddeeff:" + "ab".repeat(32) + "'),"
                    + " ('t', 'keyed', 'store', '" + "cd".repeat(32) + "')");
        }

        flyway(empty).load().migrate();

        try (Connection c = empty.connect();
                ResultSet rs = c.createStatement().executeQuery("SELECT idempotency_key FROM idempotency_record")) {
            List<String> keys = new ArrayList<>();
            while (rs.next()) {
                keys.add(rs.getString(1));
            }
            assertThat(keys).containsExactly("keyed");
        }
    }

    @Test
    void v14PartitionsTheAccessLogByMonthAndKeepsEveryRow() throws SQLException {
        LocalPostgres.Database empty = emptyDatabase("rcm_migration_v14_");
        flyway(empty).target("13").load().migrate();
        String perMonth = "SELECT month || ':' || count(*) || ':' || sum(id) FROM (SELECT id,"
                + " to_char(accessed_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month FROM credential_access_log) r"
                + " GROUP BY month ORDER BY month";
        try (Connection c = empty.connect()) {
            c.createStatement().execute("INSERT INTO credential_access_log (tenant_id, portal_id, access_type, access_by,"
                    + " ip_address, success, error_message, accessed_at, unexpected_ip, failure_burst)"
                    + " SELECT 't-' || (i % 3), 'p', 'retrieve', 'w', '10.0.0.1', i % 5 <> 0, CASE WHEN i % 5 = 0 THEN 'no' END,"
                    + " '2026-08-01T00:00:00Z'::timestamptz + i * interval '85 minutes', i % 7 = 0, i % 11 = 0"
                    + " FROM generate_series(0, 1499) AS i"); // 2026-08 to 2026-10
        }
        List<String> before = column(empty, perMonth);
        List<String> wholeRowsBefore = column(empty, "SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM"
                + " (SELECT id, tenant_id, portal_id, access_type, access_by, ip_address, success, error_message, accessed_at,"
                + " unexpected_ip, failure_burst FROM credential_access_log) t");

        flyway(empty).load().migrate();

        assertThat(before).hasSize(3);
        assertThat(column(empty, perMonth)).isEqualTo(before);
        assertThat(column(empty, "SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM"
                + " (SELECT id, tenant_id, portal_id, access_type, access_by, ip_address, success, error_message, accessed_at,"
                + " unexpected_ip, failure_burst FROM credential_access_log) t")).isEqualTo(wholeRowsBefore);
        assertThat(column(empty, "SELECT relname FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid"
                + " WHERE i.inhparent = 'credential_access_log'::regclass ORDER BY 1"))
                .contains("credential_access_log_y2026m08", "credential_access_log_y2026m09", "credential_access_log_y2026m10");
        try (Connection c = empty.connect()) {
            c.createStatement().execute("INSERT INTO credential_access_log (tenant_id, access_type, access_by, success)"
                    + " VALUES ('t-new', 'retrieve', 'w', true)");
        }
        assertThat(column(empty, "SELECT id > 1500 FROM credential_access_log WHERE tenant_id = 't-new'")).containsExactly("t");
    }

    @Test
    @RunOnVertxContext
    void hibernateReadsEveryMappedTable(UniAsserter asserter) {
        asserter.assertThat(() -> Panache.withSession(() -> endpoints.findAll().list()), rows -> assertThat(rows).isNotNull());
        asserter.assertThat(() -> Panache.withSession(() -> accessLog.findAll().list()), rows -> assertThat(rows).isNotNull());
        asserter.assertThat(() -> Panache.withSession(() -> schedules.findAll().list()), rows -> assertThat(rows).isNotNull());
    }

    private static LocalPostgres.Database emptyDatabase(String prefix) throws SQLException {
        LocalPostgres.Database template = TestEnvironment.database();
        String name = prefix + System.nanoTime();
        try (Connection admin = template.connect()) {
            admin.createStatement().execute("CREATE DATABASE " + name);
        }
        return new LocalPostgres.Database(template.server(), name);
    }

    private static FluentConfiguration flyway(LocalPostgres.Database database) {
        return Flyway.configure()
                .dataSource(database.jdbcUrl(), database.server().user(), database.server().password())
                .placeholders(Map.of("runtime_role", database.runtime().user(), "audit_retention_floor", "6 years"))
                .locations("classpath:db/migration");
    }

    private static List<String> column(LocalPostgres.Database database, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection c = database.connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    private static List<String> tables(LocalPostgres.Database database) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Connection c = database.connect();
                ResultSet rs = c.createStatement().executeQuery(
                        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        return tables;
    }
}
