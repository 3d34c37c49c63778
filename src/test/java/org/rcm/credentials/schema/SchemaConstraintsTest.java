package org.rcm.credentials.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.support.TestEnvironment;

/** The database itself refuses rows the service must never write. */
@QuarkusTest
class SchemaConstraintsTest {

    private static final String CHECK_VIOLATION = "23514";
    private static final String UNIQUE_VIOLATION = "23505";
    private static final String RAISED_EXCEPTION = "P0001";

    @Test
    void badRotationStatusIsRejected() {
        SQLException e = assertThrows(SQLException.class, () -> execute(
                "INSERT INTO integration_endpoint (tenant_id, portal_id, name, portal_type, rotation_status)"
                        + " VALUES ('tenant-x', '" + unique() + "', 'n', 't', 'rotating')"));
        assertEquals(CHECK_VIOLATION, e.getSQLState());
        assertThat(e.getMessage()).contains("integration_endpoint_rotation_status_check");
    }

    @Test
    void badAccessTypeIsRejected() {
        SQLException e = assertThrows(SQLException.class, () -> execute(
                "INSERT INTO credential_access_log (tenant_id, portal_id, access_type, access_by, success)"
                        + " VALUES ('tenant-x', 'p', 'peek', 'someone', true)"));
        assertEquals(CHECK_VIOLATION, e.getSQLState());
        assertThat(e.getMessage()).contains("credential_access_log_access_type_check");
    }

    @Test
    void duplicatePortalInOneTenantIsRejected() throws SQLException {
        String portal = unique();
        String insert = "INSERT INTO integration_endpoint (tenant_id, portal_id, name, portal_type)"
                + " VALUES ('%s', '" + portal + "', 'n', 't')";
        execute(insert.formatted("tenant-x"));
        execute(insert.formatted("tenant-y"));

        SQLException e = assertThrows(SQLException.class, () -> execute(insert.formatted("tenant-x")));
        assertEquals(UNIQUE_VIOLATION, e.getSQLState());
    }

    @Test
    void accessLogIsAppendOnly() throws SQLException {
        execute("INSERT INTO credential_access_log (tenant_id, portal_id, access_type, access_by, success)"
                + " VALUES ('tenant-x', 'p', 'retrieve', 'someone', true)");

        SQLException update = assertThrows(SQLException.class,
                () -> execute("UPDATE credential_access_log SET success = false WHERE tenant_id = 'tenant-x'"));
        SQLException delete = assertThrows(SQLException.class,
                () -> execute("DELETE FROM credential_access_log WHERE tenant_id = 'tenant-x'"));

        assertEquals(RAISED_EXCEPTION, update.getSQLState());
        assertEquals(RAISED_EXCEPTION, delete.getSQLState());
    }

    @Test
    void failedAccessNeedsAnErrorMessage() {
        SQLException e = assertThrows(SQLException.class, () -> execute(
                "INSERT INTO credential_access_log (tenant_id, portal_id, access_type, access_by, success)"
                        + " VALUES ('tenant-x', 'p', 'retrieve', 'someone', false)"));
        assertEquals(CHECK_VIOLATION, e.getSQLState());
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = TestEnvironment.database().connect()) {
            c.createStatement().execute(sql);
        }
    }

    private static String unique() {
        return "portal-" + UUID.randomUUID();
    }
}
