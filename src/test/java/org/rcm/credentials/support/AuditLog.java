package org.rcm.credentials.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Reads {@code credential_access_log} rows directly from the test database. */
public final class AuditLog {

    /** One row, as stored. */
    public record Row(String tenantId, String portalId, String secretArn, String accessType, String accessBy,
            String ipAddress, String userAgent, boolean success, String errorMessage) {
    }

    private AuditLog() {
    }

    /** The rows of a tenant's portal (null: of calls that named no portal), oldest first. */
    public static List<Row> rows(String tenant, String portal) {
        return query("SELECT tenant_id, portal_id, secret_arn, access_type, access_by, host(ip_address), user_agent,"
                + " success, error_message FROM credential_access_log"
                + " WHERE tenant_id = ? AND portal_id IS NOT DISTINCT FROM ? ORDER BY id",
                tenant, portal);
    }

    /** The tenant's latest row. */
    /** The last of {@code rows}, which must not be empty. */
    public static Row last(List<Row> rows) {
        if (rows.isEmpty()) {
            throw new AssertionError("no audit rows");
        }
        return rows.get(rows.size() - 1);
    }

    public static Row last(String tenant) {
        List<Row> rows = query("SELECT tenant_id, portal_id, secret_arn, access_type, access_by, host(ip_address),"
                + " user_agent, success, error_message FROM credential_access_log WHERE tenant_id = ?"
                + " ORDER BY id DESC LIMIT 1", tenant);
        if (rows.isEmpty()) {
            throw new AssertionError("no audit row for " + tenant);
        }
        return rows.get(0);
    }

    public static long count(String tenant) {
        try (Connection c = TestEnvironment.database().connect();
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM credential_access_log WHERE tenant_id = ?")) {
            s.setString(1, tenant);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Row> query(String sql, String... params) {
        try (Connection c = TestEnvironment.database().connect(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setString(i + 1, params[i]);
            }
            List<Row> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getString(7), rs.getBoolean(8), rs.getString(9)));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
