package org.rcm.credentials.credential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rcm.credentials.credential.CredentialLifecycleTest.newPortal;
import static org.rcm.credentials.support.Broker.credentials;
import static org.rcm.credentials.support.Broker.credentialsWith;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.RotateCredentialsRequest;
import org.rcm.credentials.api.v1.RotateCredentialsResponse;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;
import org.rcm.credentials.api.v1.StoreCredentialsResponse;
import org.rcm.credentials.local.aws.LocalAwsControl;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Db;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestIdentity;

/**
 * Idempotency keys: a retry with the same payload gets the first answer without a second
 * write; the same key with another payload fails ALREADY_EXISTS and changes nothing.
 */
@QuarkusTest
class IdempotencyTest {

    private static final TestIdentity ADMIN = TestIdentity.TENANT_A_ADMIN;
    private final LocalAwsControl aws = new LocalAwsControl(TestEnvironment.awsUri());

    @Test
    void retriedStoreReturnsTheFirstAnswerWithoutASecondWrite() {
        String portal = newPortal();
        Broker.register(ADMIN, portal);
        StoreCredentialsRequest request = StoreCredentialsRequest.newBuilder()
                .setPortalId(portal).setCredentials(credentialsWith("pw")).setIdempotencyKey("store-" + portal).build();

        StoreCredentialsResponse first = credentials(ADMIN).storeCredentials(request);
        aws.resetCalls();
        StoreCredentialsResponse retried = credentials(ADMIN).storeCredentials(request);

        assertEquals(first, retried);
        assertEquals(0, aws.calls("AmazonSSM.PutParameter"));
        assertEquals(1L, Db.endpoint("tenant-a", portal).get("secret_version"));
    }

    @Test
    void reusedKeyWithAnotherPayloadIsRefusedAndChangesNothing() {
        String portal = newPortal();
        Broker.register(ADMIN, portal);
        String key = "store-" + portal;
        credentials(ADMIN).storeCredentials(StoreCredentialsRequest.newBuilder()
                .setPortalId(portal).setCredentials(credentialsWith("pw-1")).setIdempotencyKey(key).build());
        aws.resetCalls();

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> credentials(ADMIN).storeCredentials(
                StoreCredentialsRequest.newBuilder()
                        .setPortalId(portal).setCredentials(credentialsWith("pw-2")).setIdempotencyKey(key).build()));

        assertEquals(Status.Code.ALREADY_EXISTS, e.getStatus().getCode());
        assertEquals("idempotency_key was already used with a different request", e.getStatus().getDescription());
        assertEquals(0, aws.calls("AmazonSSM.PutParameter"));
        assertEquals(1L, Db.endpoint("tenant-a", portal).get("secret_version"));
    }

    @Test
    void retriedRotationReturnsTheFirstAnswerWithoutASecondRotation() {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "pw");
        RotateCredentialsRequest request = RotateCredentialsRequest.newBuilder()
                .setPortalId(portal).setIdempotencyKey("rotate-" + portal).build();

        RotateCredentialsResponse first = credentials(ADMIN).rotateCredentials(request);
        RotateCredentialsResponse retried = credentials(ADMIN).rotateCredentials(request);

        assertTrue(first.getSuccess());
        assertEquals(first, retried);
        assertEquals(2L, Db.endpoint("tenant-a", portal).get("secret_version"));
    }
}
