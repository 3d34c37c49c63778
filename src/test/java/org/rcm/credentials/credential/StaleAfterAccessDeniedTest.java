package org.rcm.credentials.credential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.rcm.credentials.credential.CredentialLifecycleTest.newPortal;
import static org.rcm.credentials.credential.DualReadTest.get;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.local.aws.LocalAwsControl;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestIdentity;

/**
 * Stale-if-error stops at access-denied ({@code SecretCache}: the fallback is "dropped when the
 * store says the secret is gone or access is denied"): once the store has refused the
 * service's access to a secret whose cached value had expired, a later outage does not bring
 * that value back.
 */
@QuarkusTest
class StaleAfterAccessDeniedTest {

    private static final TestIdentity ADMIN = TestIdentity.TENANT_A_ADMIN;
    private static final TestIdentity WORKER = TestIdentity.TENANT_A_WORKER;
    private static final String GET_PARAMETER = "AmazonSSM.GetParameter";

    private final LocalAwsControl aws = new LocalAwsControl(TestEnvironment.awsUri());

    @Inject
    @CacheName("secret-values")
    Cache values;

    @AfterEach
    void resetFaults() {
        aws.resetFaults();
    }

    /** The control: without the refusal, the same outage is ridden out with the expired value. */
    @Test
    void expiredValueIsServedDuringAnOutage() {
        String portal = warmPortal();
        expireFreshValues();
        aws.failNext(GET_PARAMETER, 10);

        assertEquals("denied-pw", get(WORKER, portal).getCredentials().getPassword());
    }

    @Test
    void accessDeniedIsAnsweredWithoutTheStaleValue() {
        String portal = warmPortal();
        expireFreshValues();
        aws.denyNext(GET_PARAMETER, 1);

        assertUnavailable(portal, "the secret store refused the service's access");
    }

    @Test
    void staleValueIsNeverServedAfterTheStoreDeniedAccess() {
        String portal = warmPortal();
        expireFreshValues();
        aws.denyNext(GET_PARAMETER, 1);
        assertUnavailable(portal, "the secret store refused the service's access");
        aws.failNext(GET_PARAMETER, 10);

        assertUnavailable(portal, "the secret store is unavailable; retry with backoff");

        aws.resetFaults();
        assertEquals("denied-pw", get(WORKER, portal).getCredentials().getPassword());
    }

    /** A portal with credentials ("denied-pw") that a worker has read once, so that they are cached. */
    private static String warmPortal() {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "denied-pw");
        assertEquals("denied-pw", get(WORKER, portal).getCredentials().getPassword());
        return portal;
    }

    private void expireFreshValues() {
        values.invalidateAll().await().atMost(Duration.ofSeconds(5));
    }

    private static void assertUnavailable(String portal, String description) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> get(WORKER, portal));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertEquals(description, e.getStatus().getDescription());
    }
}
