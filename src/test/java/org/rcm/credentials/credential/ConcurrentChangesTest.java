package org.rcm.credentials.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.DeleteCredentialsRequest;
import org.rcm.credentials.api.v1.RotateCredentialsRequest;
import org.rcm.credentials.api.v1.RotateCredentialsResponse;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;
import org.rcm.credentials.cache.SecretCache;
import org.rcm.credentials.endpoint.Endpoint;
import org.rcm.credentials.endpoint.EndpointCache;
import org.rcm.credentials.local.aws.LocalAwsControl;
import org.rcm.credentials.secretstore.SecretValue;
import org.rcm.credentials.support.Await;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Db;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestIdentity;

/**
 * One change of a portal at a time: a Store or Delete that arrives while a rotation is
 * writing to the secret store is refused ABORTED before it touches the store, so the store
 * and the database cannot end up disagreeing.
 */
@QuarkusTest
class ConcurrentChangesTest {

    private static final TestIdentity ADMIN = TestIdentity.TENANT_A_ADMIN;
    /** Long enough to overlap with the other request, well under the per-attempt timeout. */
    private static final Duration SLOW_WRITE = Duration.ofMillis(1500);

    private final LocalAwsControl aws = new LocalAwsControl(TestEnvironment.awsUri());

    @Inject
    SecretCache secrets;

    @Inject
    EndpointCache endpoints;

    @AfterEach
    void resetFaults() {
        aws.resetFaults();
    }

    @Test
    void aRotationDuringADeleteIsRefusedAndTheDeleteWins() throws Exception {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "old");
        aws.latency("AmazonSSM.DeleteParameter", SLOW_WRITE);
        CompletableFuture<Boolean> delete = CompletableFuture.supplyAsync(() -> credentials(ADMIN)
                .deleteCredentials(DeleteCredentialsRequest.newBuilder().setPortalId(portal).build()).getDeleted());
        awaitClaimed(portal);

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> rotate(portal));

        assertEquals(Status.Code.ABORTED, refused.getStatus().getCode());
        assertThat(refused.getStatus().getDescription()).isEqualTo("portal " + portal + " is being changed by another request; retry");
        assertTrue(delete.get(30, TimeUnit.SECONDS));
        assertThat(Db.endpoint("tenant-a", portal).get("secret_arn")).isNull();
    }

    @Test
    void aRotationDuringAStoreIsRefusedAndTheStoreWins() throws Exception {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "old");
        aws.latency("AmazonSSM.PutParameter", SLOW_WRITE);
        CompletableFuture<Long> store = CompletableFuture.supplyAsync(() -> credentials(ADMIN)
                .storeCredentials(StoreCredentialsRequest.newBuilder().setPortalId(portal)
                        .setCredentials(credentialsWith("stored")).build()).getVersion());
        awaitClaimed(portal);

        assertEquals(Status.Code.ABORTED, assertThrows(StatusRuntimeException.class, () -> rotate(portal)).getStatus().getCode());
        store.get(30, TimeUnit.SECONDS);
        assertEquals("stored", get(ADMIN, portal).getCredentials().getPassword());
        assertEquals("active", Db.endpoint("tenant-a", portal).get("rotation_status"));
    }

    @Test
    void aStoreDuringARotationIsRefusedAndTheRotationWins() throws Exception {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "old");
        CompletableFuture<RotateCredentialsResponse> rotation = slowRotation(portal);

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> credentials(ADMIN)
                .storeCredentials(StoreCredentialsRequest.newBuilder().setPortalId(portal)
                        .setCredentials(credentialsWith("stored")).build()));

        assertEquals(Status.Code.ABORTED, refused.getStatus().getCode());
        assertTrue(rotation.get(30, TimeUnit.SECONDS).getSuccess());
        assertEquals("new", get(ADMIN, portal).getCredentials().getPassword());
    }

    @Test
    void aStoreThatFailsGivesItsClaimBack() {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "old");
        aws.failNext("AmazonSSM.PutParameter", 10);

        assertThrows(StatusRuntimeException.class, () -> credentials(ADMIN).storeCredentials(StoreCredentialsRequest
                .newBuilder().setPortalId(portal).setCredentials(credentialsWith("lost")).build()));
        aws.resetFaults();

        assertEquals("active", Db.endpoint("tenant-a", portal).get("rotation_status"));
        credentials(ADMIN).storeCredentials(StoreCredentialsRequest.newBuilder().setPortalId(portal)
                .setCredentials(credentialsWith("stored")).build());
        assertEquals("stored", get(ADMIN, portal).getCredentials().getPassword());
    }

    @Test
    void aDeleteThatTakesOverALapsedClaimAndFailsLeavesThePortalUsable() {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "old");
        // a change whose process died ten minutes ago, holding the portal
        Db.text("UPDATE integration_endpoint SET rotation_status = 'pending', rotation_started_at = now() - interval '10 minutes'"
                + " WHERE tenant_id = ? AND portal_id = ? RETURNING portal_id", "tenant-a", portal);
        aws.failNext("AmazonSSM.DeleteParameter", 10);

        assertThrows(StatusRuntimeException.class, () -> credentials(ADMIN)
                .deleteCredentials(DeleteCredentialsRequest.newBuilder().setPortalId(portal).build()));
        aws.resetFaults();

        assertEquals("failed", Db.endpoint("tenant-a", portal).get("rotation_status"));
        assertThat(Db.endpoint("tenant-a", portal).get("rotation_started_at")).isNull();
        credentials(ADMIN).storeCredentials(StoreCredentialsRequest.newBuilder().setPortalId(portal)
                .setCredentials(credentialsWith("stored")).build());
        assertEquals("stored", get(ADMIN, portal).getCredentials().getPassword());
    }

    @Test
    void aValueDeletedAndStoredAgainIsNeverServedFromTheCache() {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "first");
        assertEquals("first", get(ADMIN, portal).getCredentials().getPassword());
        Endpoint before = endpoints.cached("tenant-a", portal);

        credentials(ADMIN).deleteCredentials(DeleteCredentialsRequest.newBuilder().setPortalId(portal).build());
        credentials(ADMIN).storeCredentials(StoreCredentialsRequest.newBuilder().setPortalId(portal)
                .setCredentials(credentialsWith("second")).build());
        // the old value, as a replica that missed the invalidation still holds it
        secrets.get(before.secret(), before.cacheVersion(),
                () -> Uni.createFrom().item(new SecretValue("user", "first", null, Map.of()))).await().atMost(Duration.ofSeconds(10));

        // SSM numbers the versions of the new parameter from 1 again: the same version id
        assertEquals(before.secretVersionId(), Db.endpoint("tenant-a", portal).get("secret_version_id"));
        assertEquals("second", get(ADMIN, portal).getCredentials().getPassword());
    }

    /** Starts a rotation whose pending write is slow, and returns once it holds the portal. */
    private CompletableFuture<RotateCredentialsResponse> slowRotation(String portal) throws Exception {
        aws.latency("AmazonSSM.PutParameter", SLOW_WRITE);
        CompletableFuture<RotateCredentialsResponse> rotation = CompletableFuture.supplyAsync(() -> rotate(portal));
        awaitClaimed(portal);
        return rotation;
    }

    private static RotateCredentialsResponse rotate(String portal) {
        return credentials(ADMIN).rotateCredentials(RotateCredentialsRequest.newBuilder().setPortalId(portal)
                .setNewCredentials(credentialsWith("new")).build());
    }

    /** Waits until a change holds the portal (its claim shows as rotation status pending). */
    private static void awaitClaimed(String portal) throws Exception {
        Await.until(Duration.ofSeconds(10), () -> "pending".equals(Db.endpoint("tenant-a", portal).get("rotation_status")));
    }
}
