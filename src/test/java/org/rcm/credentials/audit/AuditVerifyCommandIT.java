package org.rcm.credentials.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.sql.Connection;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Db;
import org.rcm.credentials.support.RcmctlProcess;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestGrpc;

/** {@code rcmctl verify-audit} against the packaged broker: intact, then broken where a row was altered. */
@QuarkusIntegrationTest
class AuditVerifyCommandIT {

    private final String tenant = "verify-" + UUID.randomUUID();

    @Test
    void saysWhetherTheTenantsAuditLogIsIntactAndWhereItIsNot() throws Exception {
        String portal = Broker.newPortal();
        Broker.registerAndStore(TestGrpc.channel(tenant, "admin"), portal, "secret-1");
        for (int i = 0; i < 3; i++) {
            Broker.credentials(TestGrpc.channel(tenant, "worker"))
                    .getCredentials(GetCredentialsRequest.newBuilder().setPortalId(portal).build());
        }

        RcmctlProcess.Result intact = RcmctlProcess.run(tenant, "verify-audit");
        assertEquals(0, intact.status(), intact.output());
        assertThat(intact.output()).contains("intact: 5 rows checked in 1 chains (0 written before the chains)");

        long altered = Db.count("SELECT id FROM credential_access_log WHERE tenant_id = ? AND chain_seq = 3", tenant);
        try (Connection c = TestEnvironment.database().connect(); Statement s = c.createStatement()) {
            s.execute("SET session_replication_role = replica"); // no trigger: what only a database superuser can do
            s.execute("UPDATE credential_access_log SET access_by = 'someone else' WHERE id = " + altered);
        }

        RcmctlProcess.Result broken = RcmctlProcess.run(tenant, "-since", "2020-01-01T00:00:00Z", "verify-audit");
        assertEquals(3, broken.status(), broken.output());
        assertThat(broken.output()).contains("BROKEN at row " + altered + ": its fields or the row before it do not match its hash (altered)");

        RcmctlProcess.Result badTime = RcmctlProcess.run(tenant, "-until", "yesterday", "verify-audit");
        assertEquals(2, badTime.status());
        assertThat(badTime.output().strip()).isEqualTo("-until must be a time such as 2026-01-31T00:00:00Z");
    }
}
