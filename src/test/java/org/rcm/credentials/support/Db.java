package org.rcm.credentials.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Direct reads of the test database, for assertions on what the broker wrote. */
public final class Db {

    private Db() {
    }

    /** The integration_endpoint row of a tenant's portal as column name to value, or an empty map. */
    public static Map<String, Object> endpoint(String tenant, String portal) {
        try (Connection c = TestEnvironment.database().connect();
                PreparedStatement s = c.prepareStatement(
                        "SELECT * FROM integration_endpoint WHERE tenant_id = ? AND portal_id = ?")) {
            s.setString(1, tenant);
            s.setString(2, portal);
            try (ResultSet rs = s.executeQuery()) {
                Map<String, Object> row = new LinkedHashMap<>();
                if (rs.next()) {
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
                    }
                }
                return row;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A single text value from a query, or null when it returns no row. */
    public static String text(String sql, String... params) {
        try (Connection c = TestEnvironment.database().connect(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setString(i + 1, params[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A single number from a query. */
    public static long count(String sql, String... params) {
        try (Connection c = TestEnvironment.database().connect(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setString(i + 1, params[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
