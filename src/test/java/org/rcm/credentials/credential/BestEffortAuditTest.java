package org.rcm.credentials.credential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.rcm.credentials.credential.CredentialLifecycleTest.newPortal;
import static org.rcm.credentials.credential.DualReadTest.get;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.support.Await;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestIdentity;

/**
 * Best-effort audit answers first and writes after: calls succeed while the audit store is
 * down, and their rows are written once it is back; rows of calls made while it is up are
 * written without the caller waiting for them.
 */
@QuarkusTest
@TestProfile(BestEffortAuditTest.BestEffort.class)
class BestEffortAuditTest {

    public static class BestEffort implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("rcm.audit.mode", "best-effort");
        }
    }

    private static final TestIdentity ADMIN = TestIdentity.TENANT_A_ADMIN;

    @Test
    void callsAreServedWhileTheAuditStoreIsDownAndTheirRowsWrittenWhenItIsBack() throws Exception {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "pw");
        get(ADMIN, portal);

        TestEnvironment.databaseProxy().cut();
        try {
            assertEquals("pw", get(ADMIN, portal).getCredentials().getPassword());
        } finally {
            TestEnvironment.databaseProxy().restore();
        }

        Await.until(Duration.ofSeconds(20), () -> AuditLog.rows("tenant-a", portal).size() == 4);
    }

    @Test
    void rowsAreWrittenAfterTheAnswer() throws Exception {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "pw");

        get(ADMIN, portal);

        Await.until(Duration.ofSeconds(10), () -> AuditLog.rows("tenant-a", portal).size() == 3);
    }
}
