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
                .locations("classpath:db/migration");
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
