package org.rcm.credentials.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.rcm.credentials.support.Broker.credentials;
import static org.rcm.credentials.support.Broker.credentialsWith;
import static org.rcm.credentials.support.Broker.get;
import static org.rcm.credentials.support.Broker.newPortal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.DeleteCredentialsRequest;
import org.rcm.credentials.api.v1.RotateCredentialsRequest;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;
import org.rcm.credentials.api.v1.StoreCredentialsResponse;
import org.rcm.credentials.local.LocalServices;
import org.rcm.credentials.local.aws.LocalAwsControl;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.Await;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Db;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestIdentity;
import software.amazon.awssdk.services.ssm.SsmAsyncClient;

/**
 * Store, Delete and Rotate when they cannot do what was asked: the exact status, no change to
 * the endpoint row or the stored value, and one failed audit row whose message names no ARN
 * or path. A retry of an idempotent request that is still running is ABORTED.
 */
@QuarkusTest
class LifecycleErrorPathsTest {

    private static final TestIdentity ADMIN = TestIdentity.TENANT_A_ADMIN;
    private static final String TENANT = "tenant-a";
    private static final String PUT_PARAMETER = "AmazonSSM.PutParameter";
    private static final String DELETE_PARAMETER = "AmazonSSM.DeleteParameter";
    private static final String STORE_DOWN = "the secret store is unavailable; retry with backoff";

    private final LocalAwsControl aws = new LocalAwsControl(TestEnvironment.awsUri());

    @Inject
    SsmAsyncClient ssm;

    @AfterEach
    void resetFaults() {
        aws.resetFaults();
    }

    @Test
    void storeWhileTheSecretStoreFailsIsUnavailableAndChangesNothing() {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "old-pw");
        Map<String, Object> before = credentialState(portal);
        aws.failNext(PUT_PARAMETER, 10); // more than the SDK's attempts

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> store(portal, "new-pw"));

        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertEquals(STORE_DOWN, e.getStatus().getDescription());
        assertEquals(before, credentialState(portal));
        aws.resetFaults();
        assertEquals("old-pw", get(ADMIN, portal).getCredentials().getPassword());
        assertThat(storedParameter(portal)).contains("\"old-pw\"");
        assertOneFailedRow(portal, "store", "UNAVAILABLE: " + STORE_DOWN);
    }

    @Test
    void firstStoreWhileTheSecretStoreFailsLeavesThePortalWithoutCredentials() {
        String portal = newPortal();
        Broker.register(ADMIN, portal);
        Map<String, Object> before = credentialState(portal);
        aws.failNext(PUT_PARAMETER, 10);

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> store(portal, "new-pw"));

        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertEquals(before, credentialState(portal));
        assertNull(before.get("secret_arn"));
        assertNull(before.get("rotation_status"));
        aws.resetFaults();
        StatusRuntimeException read = assertThrows(StatusRuntimeException.class, () -> get(ADMIN, portal));
        assertEquals(Status.Code.NOT_FOUND, read.getStatus().getCode());
        assertOneFailedRow(portal, "store", "UNAVAILABLE: " + STORE_DOWN);
    }

    @Test
    void deleteWhileTheSecretStoreFailsIsUnavailableAndKeepsTheReference() {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "kept-pw");
        Map<String, Object> before = credentialState(portal);
        aws.failNext(DELETE_PARAMETER, 10);

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> credentials(ADMIN)
                .deleteCredentials(DeleteCredentialsRequest.newBuilder().setPortalId(portal).build()));

        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertEquals(STORE_DOWN, e.getStatus().getDescription());
        assertEquals(before, credentialState(portal));
        assertThat(before.get("secret_arn")).isNotNull();
        aws.resetFaults();
        assertEquals("kept-pw", get(ADMIN, portal).getCredentials().getPassword());
        assertThat(storedParameter(portal)).contains("\"kept-pw\"");
        assertOneFailedRow(portal, "delete", "UNAVAILABLE: " + STORE_DOWN);
    }

    @Test
    void rotatingARegisteredPortalWithoutCredentialsIsNotFound() {
        String portal = newPortal();
        Broker.register(ADMIN, portal);
        Map<String, Object> before = credentialState(portal);
        aws.resetCalls();

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> credentials(ADMIN)
                .rotateCredentials(RotateCredentialsRequest.newBuilder().setPortalId(portal).build()));

        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertEquals("no credentials for portal " + portal, e.getStatus().getDescription());
        assertEquals(before, credentialState(portal));
        assertEquals(0, aws.calls(PUT_PARAMETER));
        assertOneFailedRow(portal, "rotate", "NOT_FOUND: no credentials for portal " + portal);
    }

    @Test
    void sameIdempotencyKeyWhileTheFirstRequestRunsIsAborted() throws Exception {
        String portal = newPortal();
        Broker.register(ADMIN, portal);
        String key = "slow-" + portal;
        StoreCredentialsRequest request = StoreCredentialsRequest.newBuilder()
                .setPortalId(portal).setCredentials(credentialsWith("slow-pw")).setIdempotencyKey(key).build();
        // Below the SDK's 2 s attempt timeout, so that the first request is slow but succeeds.
        aws.latency(PUT_PARAMETER, Duration.ofMillis(1500));
        aws.resetCalls();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<StoreCredentialsResponse> first = CompletableFuture.supplyAsync(
                    () -> credentials(ADMIN).storeCredentials(request), executor);
            Await.until(Duration.ofSeconds(10), () -> inProgressRecords(key) == 1);

            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> credentials(ADMIN).storeCredentials(request));

            assertEquals(Status.Code.ABORTED, e.getStatus().getCode());
            assertEquals("a request with this idempotency_key is still in progress; retry later",
                    e.getStatus().getDescription());
            StoreCredentialsResponse stored = first.get(30, TimeUnit.SECONDS);
            assertEquals(1, stored.getVersion());
            assertEquals(stored, credentials(ADMIN).storeCredentials(request));
        } finally {
            executor.shutdownNow();
        }
        assertEquals(1, aws.calls(PUT_PARAMETER));
        assertEquals(1L, Db.endpoint(TENANT, portal).get("secret_version"));
        assertEquals("slow-pw", get(ADMIN, portal).getCredentials().getPassword());
    }

    private static StoreCredentialsResponse store(String portal, String password) {
        return credentials(ADMIN).storeCredentials(StoreCredentialsRequest.newBuilder()
                .setPortalId(portal).setCredentials(credentialsWith(password)).build());
    }

    /**
     * The endpoint row without {@code updated_at}: a change that fails takes and gives back the
     * portal's claim, which touches that column and nothing else.
     */
    private static Map<String, Object> credentialState(String portal) {
        Map<String, Object> row = new LinkedHashMap<>(Db.endpoint(TENANT, portal));
        assertThat(row).isNotEmpty();
        row.remove("updated_at");
        return row;
    }

    /** The current value of the portal's SSM parameter, read with the SDK, not through the broker. */
    private String storedParameter(String portal) {
        return Uni.createFrom().completionStage(ssm.getParameter(r -> r
                        .name("/rcm/dev/" + TENANT + "/" + portal).withDecryption(true)))
                .await().atMost(Duration.ofSeconds(10))
                .parameter().value();
    }

    private static long inProgressRecords(String key) {
        return Db.count("SELECT count(*) FROM idempotency_record WHERE tenant_id = ? AND idempotency_key = ?"
                + " AND response IS NULL", TENANT, key);
    }

    /** Exactly one failed row of {@code accessType} for the portal, with a message that names no secret. */
    private static void assertOneFailedRow(String portal, String accessType, String errorMessage) {
        List<AuditLog.Row> failed = AuditLog.rows(TENANT, portal).stream()
                .filter(r -> r.accessType().equals(accessType) && !r.success())
                .toList();
        assertThat(failed).hasSize(1);
        AuditLog.Row row = failed.get(0);
        assertEquals(ADMIN.principal(TestEnvironment.TRUST_DOMAIN), row.accessBy());
        assertEquals(errorMessage, row.errorMessage());
        assertThat(row.errorMessage())
                .doesNotContain("arn:")
                .doesNotContain("/rcm/")
                .doesNotContain("rcm/dev")
                .doesNotContain(LocalServices.ACCOUNT_ID);
    }
}
