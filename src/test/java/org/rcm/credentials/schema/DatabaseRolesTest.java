package org.rcm.credentials.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rcm.credentials.local.LocalPostgres;
import org.rcm.credentials.support.Db;
import org.rcm.credentials.support.TestEnvironment;

/**
 * Least privilege (migration V15): the broker under test runs as the runtime login, which can
 * read and append to the access log and do nothing else to it, cannot grant itself a tenant's
 * admin role, and has no DDL. Every refusal is PostgreSQL's own, tried here as that login.
 */
@QuarkusTest
class DatabaseRolesTest {

    private static final String INSUFFICIENT_PRIVILEGE = "42501";
    private static final String RAISED_EXCEPTION = "P0001";

    @Test
    void theBrokerUnderTestRunsAsTheRuntimeLoginWhichOwnsNothing() {
        LocalPostgres.Database database = TestEnvironment.database();
        assertThat(database.runtime().user()).isNotEqualTo(database.owner().user());

        assertThat(Db.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND usename = ?",
                database.runtime().user())).isPositive();
        assertEquals(0, Db.count("SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner"
                + " WHERE r.rolname = ?", database.runtime().user()));
    }

    @Test
    void theRuntimeLoginReadsAndAppendsToTheAccessLog() throws SQLException {
        runtime("INSERT INTO credential_access_log (tenant_id, portal_id, access_type, access_by, success)"
                + " VALUES ('roles-test', 'p', 'retrieve', 'someone', true)");
        runtime("SELECT count(*) FROM credential_access_log WHERE tenant_id = 'roles-test'");
    }

    @ParameterizedTest
    @ValueSource(strings = { // %MONTH%: this month's partition
        "UPDATE credential_access_log SET success = false WHERE tenant_id = 'roles-test'",
        "DELETE FROM credential_access_log WHERE tenant_id = 'roles-test'",
        "TRUNCATE credential_access_log",
        "ALTER TABLE credential_access_log DISABLE TRIGGER credential_access_log_append_only",
        "DROP TRIGGER credential_access_log_append_only ON credential_access_log",
        "ALTER TABLE credential_access_log ADD COLUMN note text",
        "ALTER TABLE credential_access_log DETACH PARTITION %MONTH%",
        "DROP TABLE credential_access_log_cut",
        "INSERT INTO credential_access_log_cut (tenant_id, chain_id, chain_seq, row_hash, partition_start)"
                + " VALUES ('t', gen_random_uuid(), 1, '\\x00', now())",
        "INSERT INTO client_certificate (fingerprint_sha256, tenant_id, role)"
                + " VALUES (repeat('a', 64), 'roles-test', 'admin')",
        "UPDATE client_certificate SET role = 'admin'",
        "DELETE FROM revoked_certificate",
        "CREATE TABLE mine (id int)",
        "CREATE FUNCTION mine() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "SELECT count(*) FROM %MONTH%",
        "UPDATE %MONTH% SET success = false",
        "DELETE FROM flyway_schema_history"
    })
    void theRuntimeLoginIsRefusedEverythingElse(String statement) {
        String thisMonth = "credential_access_log_" + YearMonth.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("'y'yyyy'm'MM"));

        SQLException refused = assertThrows(SQLException.class, () -> runtime(statement.replace("%MONTH%", thisMonth)));

        assertEquals(INSUFFICIENT_PRIVILEGE, refused.getSQLState(), refused.getMessage());
    }

    @Test
    void theRuntimeLoginCannotDropRecentAuditMonths() {
        SQLException refused = assertThrows(SQLException.class,
                () -> runtime("SELECT * FROM credential_access_log_drop_partitions(now() - interval '1 year')"));

        assertEquals(RAISED_EXCEPTION, refused.getSQLState());
        assertThat(refused.getMessage()).contains("audit rows are kept at least 6 years");
    }

    @Test
    void evenTheOwnerMeetsTheAppendOnlyTrigger() {
        SQLException refused = assertThrows(SQLException.class,
                () -> as(TestEnvironment.database().owner(), "DELETE FROM credential_access_log WHERE tenant_id = 'roles-test'"));

        assertEquals(RAISED_EXCEPTION, refused.getSQLState());
    }

    private static void runtime(String sql) throws SQLException {
        as(TestEnvironment.database().runtime(), sql);
    }

    private static void as(LocalPostgres.Login login, String sql) throws SQLException {
        try (Connection c = TestEnvironment.database().connect(login); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
