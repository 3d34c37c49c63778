package org.rcm.credentials.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.api.v1.LoginOutcome;
import org.rcm.credentials.api.v1.ReportLoginOutcomeRequest;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Db;
import org.rcm.credentials.support.Metrics;
import org.rcm.credentials.support.TestGrpc;

/**
 * The seed's "more than 5 failed retrievals in 5 minutes", per tenant, with failed logins
 * counted too: the fifth failure is not a burst, the sixth is, flagged on its row and counted.
 */
@QuarkusTest
class FailureBurstTest {

    private final String tenant = "burst-" + UUID.randomUUID();
    private final Channel worker = TestGrpc.channel(tenant, "worker");

    @Inject
    MeterRegistry registry;

    @Test
    void theSixthFailedRetrievalOrLoginInFiveMinutesIsABurst() {
        String portal = "burst-" + UUID.randomUUID();
        Broker.registerAndStore(TestGrpc.channel(tenant, "admin"), portal, "pw");
        for (int i = 0; i < 3; i++) {
            failedRetrieval();
        }
        reportFailedLogin(portal);
        reportFailedLogin(portal);

        assertEquals(5, failures());
        assertEquals(0, flagged(), "five failures are not a burst");

        failedRetrieval();

        assertEquals(1, flagged());
        assertEquals(1.0, Metrics.count(registry, "rcm.failure.bursts", "tenant", tenant));
    }

    private void failedRetrieval() {
        assertThrows(StatusRuntimeException.class, () -> Broker.credentials(worker).getCredentials(
                GetCredentialsRequest.newBuilder().setPortalId("missing-" + UUID.randomUUID()).build()));
    }

    private void reportFailedLogin(String portal) {
        Broker.credentials(worker).reportLoginOutcome(ReportLoginOutcomeRequest.newBuilder().setPortalId(portal)
                .setOutcome(LoginOutcome.LOGIN_OUTCOME_AUTH_FAILED).setVersion(1).build());
    }

    private long failures() {
        return Db.count("SELECT count(*) FROM credential_access_log WHERE tenant_id = ? AND NOT success", tenant);
    }

    private long flagged() {
        return Db.count("SELECT count(*) FROM credential_access_log WHERE tenant_id = ? AND failure_burst", tenant);
    }
}
