package org.rcm.credentials.credential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.rcm.credentials.credential.CredentialLifecycleTest.last;
import static org.rcm.credentials.credential.CredentialLifecycleTest.newPortal;
import static org.rcm.credentials.support.Broker.credentials;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.CredentialSource;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.api.v1.GetCredentialsResponse;
import org.rcm.credentials.local.aws.LocalAwsControl;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestIdentity;
import software.amazon.awssdk.services.ssm.SsmAsyncClient;

/** The seed's dual read: secret store first, then the legacy {@code config.credentials}, then a clear error. */
@QuarkusTest
class DualReadTest {

    private static final TestIdentity ADMIN = TestIdentity.TENANT_A_ADMIN;
    private static final TestIdentity WORKER = TestIdentity.TENANT_A_WORKER;
    private static final String LEGACY = """
            {"region": "east", "credentials": {"username": "legacy_user", "password": "legacy_pw",
             "mfa_seed": "JBSWY3DPEHPK3PXP", "metadata": {"portal_name": "Legacy"}}}""";

    private final LocalAwsControl aws = new LocalAwsControl(TestEnvironment.awsUri());

    @Inject
    SsmAsyncClient ssm;

    @Inject
    @CacheName("secret-values")
    Cache values;

    @AfterEach
    void resetFaults() {
        aws.resetFaults();
    }

    @Test
    void portalWithoutASecretIsServedFromLegacyConfig() {
        String portal = newPortal();
        Broker.register(ADMIN, portal, LEGACY);

        GetCredentialsResponse read = get(WORKER, portal);

        assertEquals(CredentialSource.CREDENTIAL_SOURCE_LEGACY_CONFIG, read.getSource());
        assertEquals("legacy_user", read.getCredentials().getUsername());
        assertEquals("legacy_pw", read.getCredentials().getPassword());
        assertEquals("", read.getCredentials().getMfaSeed());
        assertEquals(0, read.getVersion());
        assertEquals(true, last(AuditLog.rows("tenant-a", portal)).success());
    }

    @Test
    void storeOutageWithNothingCachedFallsBackToLegacyConfig() {
        String portal = newPortal();
        Broker.register(ADMIN, portal, LEGACY);
        Broker.registerAndStore(ADMIN, portal, "store_pw");
        aws.failNext("AmazonSSM.GetParameter", 10);

        GetCredentialsResponse read = get(WORKER, portal);

        assertEquals(CredentialSource.CREDENTIAL_SOURCE_LEGACY_CONFIG, read.getSource());
        assertEquals("legacy_pw", read.getCredentials().getPassword());
    }

    @Test
    void storeOutageServesTheStaleStoreValueBeforeLegacyConfig() {
        String portal = newPortal();
        Broker.register(ADMIN, portal, LEGACY);
        Broker.registerAndStore(ADMIN, portal, "store_pw");
        get(WORKER, portal);
        values.invalidateAll().await().atMost(Duration.ofSeconds(5)); // only the stale copy is left
        aws.failNext("AmazonSSM.GetParameter", 10);

        GetCredentialsResponse read = get(WORKER, portal);

        assertEquals(CredentialSource.CREDENTIAL_SOURCE_SECRET_STORE, read.getSource());
        assertEquals("store_pw", read.getCredentials().getPassword());
    }

    @Test
    void secretMissingFromTheStoreFallsBackToLegacyConfig() {
        String portal = newPortal();
        Broker.register(ADMIN, portal, LEGACY);
        Broker.registerAndStore(ADMIN, portal, "store_pw");
        String name = "/rcm/" + TestEnvironment.ENVIRONMENT + "/tenant-a/" + portal;
        Uni.createFrom().completionStage(ssm.deleteParameter(r -> r.name(name)))
                .await().atMost(Duration.ofSeconds(10));

        GetCredentialsResponse read = get(WORKER, portal);

        assertEquals(CredentialSource.CREDENTIAL_SOURCE_LEGACY_CONFIG, read.getSource());
    }

    @Test
    void storeOutageWithoutLegacyConfigIsUnavailable() {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "store_pw");
        aws.failNext("AmazonSSM.GetParameter", 10);

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> get(WORKER, portal));

        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertEquals("the secret store is unavailable; retry with backoff", e.getStatus().getDescription());
    }

    @Test
    void portalWithNeitherIsNotFound() {
        String portal = newPortal();
        Broker.register(ADMIN, portal);

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> get(WORKER, portal));

        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertEquals("no credentials for portal " + portal, e.getStatus().getDescription());
        AuditLog.Row row = last(AuditLog.rows("tenant-a", portal));
        assertEquals("NOT_FOUND: no credentials for portal " + portal, row.errorMessage());
    }

    static GetCredentialsResponse get(TestIdentity identity, String portal) {
        return credentials(identity).getCredentials(GetCredentialsRequest.newBuilder().setPortalId(portal).build());
    }
}
