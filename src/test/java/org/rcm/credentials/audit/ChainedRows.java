package org.rcm.credentials.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.rcm.credentials.support.TestEnvironment;

/** Access-log rows written straight to the table, chained as the broker's writer chains them. */
final class ChainedRows {

    private ChainedRows() {
    }

    /** Writes the row as the broker's writer would, chained. */
    static void insert(AuditChain chain, AuditEvent e) throws SQLException {
        AuditChain.Link link = chain.append(e);
        try (Connection c = TestEnvironment.database().connect(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO credential_access_log (tenant_id, portal_id, access_type, access_by, ip_address, user_agent,"
                        + " success, error_message, accessed_at, chain_id, chain_seq, row_hash)"
                        + " VALUES (?, ?, ?, ?, ?::inet, ?, ?, ?, ?, ?, ?, ?)")) {
            List<Object> values = Arrays.asList(e.tenantId(), e.portalId(), e.accessType().dbValue(), e.accessBy(), e.ipAddress(),
                    e.userAgent(), e.success());
            for (int i = 0; i < values.size(); i++) {
                s.setObject(i + 1, values.get(i));
            }
            s.setString(8, e.errorMessage());
            s.setObject(9, e.accessedAt().atOffset(ZoneOffset.UTC));
            s.setObject(10, link.chainId());
            s.setLong(11, link.seq());
            s.setBytes(12, link.rowHash());
            s.execute();
        }
    }
}
