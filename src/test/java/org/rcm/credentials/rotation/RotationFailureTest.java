package org.rcm.credentials.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rcm.credentials.support.AuditLog.last;
import static org.rcm.credentials.support.Broker.credentials;
import static org.rcm.credentials.support.Broker.credentialsWith;
import static org.rcm.credentials.support.Broker.get;
import static org.rcm.credentials.support.Broker.newPortal;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.RotateCredentialsRequest;
import org.rcm.credentials.api.v1.RotateCredentialsResponse;
import org.rcm.credentials.api.v1.RotationStatus;
import org.rcm.credentials.api.v1.SecretBackend;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;
import org.rcm.credentials.local.aws.LocalAwsControl;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Db;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestIdentity;

/**
 * Rotation failures in each phase: the answer is {@code success=false}, the status FAILED,
 * the old value is still served; a rotation left between its phases is resolved by the next
 * Get or Rotate.
 */
@QuarkusTest
class RotationFailureTest {

    private static final TestIdentity ADMIN = TestIdentity.TENANT_A_ADMIN;
    private static final String SSM_LABEL = "AmazonSSM.LabelParameterVersion";
    private static final String SM_STAGE = "secretsmanager.UpdateSecretVersionStage";

    private final LocalAwsControl aws = new LocalAwsControl(TestEnvironment.awsUri());

    @AfterEach
    void resetFaults() {
        aws.resetFaults();
    }

    @Test
    void failureWritingThePendingVersionKeepsTheOldValue() {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "old");
        aws.failNext("AmazonSSM.PutParameter", 10);

        RotateCredentialsResponse rotated = rotate(portal, "new");

        assertFailed(rotated, "the secret store is unavailable; retry with backoff");
        assertEquals("old", get(ADMIN, portal).getCredentials().getPassword());
        assertEquals("failed", Db.endpoint("tenant-a", portal).get("rotation_status"));
        AuditLog.Row row = last(AuditLog.rows("tenant-a", portal));
        assertEquals("retrieve", row.accessType());
        AuditLog.Row rotation = AuditLog.rows("tenant-a", portal).stream()
                .filter(r -> r.accessType().equals("rotate")).findFirst().orElseThrow();
        assertFalse(rotation.success());
        assertEquals("rotation failed: the secret store is unavailable; retry with backoff", rotation.errorMessage());
    }

    @Test
    void failedPromotionKeepsTheOldValueAndTheNextGetAbandonsThePendingVersion() {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "old");
        aws.passNext(SSM_LABEL, 1);
        aws.failNext(SSM_LABEL, 10);

        assertFailed(rotate(portal, "new"), "the secret store is unavailable; retry with backoff");
        assertThat(Db.endpoint("tenant-a", portal).get("pending_version_id")).isEqualTo("2");

        assertEquals("old", get(ADMIN, portal).getCredentials().getPassword());
        assertEquals(RotationStatus.ROTATION_STATUS_FAILED, get(ADMIN, portal).getRotationStatus());
        assertThat(Db.endpoint("tenant-a", portal).get("pending_version_id")).isNull();
    }

    @Test
    void promotionThatTheStoreAppliedIsASuccessThoughItsAnswerWasLost() {
        String portal = newPortal();
        Broker.register(ADMIN, portal);
        credentials(ADMIN).storeCredentials(StoreCredentialsRequest.newBuilder().setPortalId(portal)
                .setCredentials(credentialsWith("old")).setBackend(SecretBackend.SECRET_BACKEND_SECRETS_MANAGER).build());
        aws.failAfterApplyNext(SM_STAGE, 1);

        RotateCredentialsResponse rotated = rotate(portal, "new");

        assertTrue(rotated.getSuccess(), rotated.getError());
        assertEquals(RotationStatus.ROTATION_STATUS_ACTIVE, rotated.getRotationStatus());
        assertEquals(2, rotated.getVersion());
        var read = get(ADMIN, portal);
        assertEquals("new", read.getCredentials().getPassword());
        assertEquals(2, read.getVersion());
    }

    @Test
    void promotionWhoseOutcomeTheStoreCannotTellAnswersPendingAndTheNextGetSettlesIt() {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "old");
        get(ADMIN, portal); // cached: the rotation reads no value from the store
        aws.passNext(SSM_LABEL, 1);
        aws.failAfterApplyNext(SSM_LABEL, 3);
        aws.failNext("AmazonSSM.GetParameter", 3);

        RotateCredentialsResponse rotated = rotate(portal, "new");

        assertFalse(rotated.getSuccess());
        assertEquals(RotationStatus.ROTATION_STATUS_PENDING, rotated.getRotationStatus());
        assertEquals("the rotation's outcome is not known yet; read the credentials to see which version is current",
                rotated.getError());
        aws.resetFaults();
        var read = get(ADMIN, portal);
        assertEquals("new", read.getCredentials().getPassword());
        assertEquals(RotationStatus.ROTATION_STATUS_ACTIVE, read.getRotationStatus());
        assertEquals(2, read.getVersion());
    }

    @Test
    void retryOfARotationWithAnUnknownOutcomeSettlesItInsteadOfRotatingAgain() {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "old");
        get(ADMIN, portal);
        RotateCredentialsRequest keyed = RotateCredentialsRequest.newBuilder().setPortalId(portal)
                .setNewCredentials(credentialsWith("new")).setIdempotencyKey("unknown-" + portal).build();
        aws.passNext(SSM_LABEL, 1);
        aws.failAfterApplyNext(SSM_LABEL, 3);
        aws.failNext("AmazonSSM.GetParameter", 3);
        assertEquals(RotationStatus.ROTATION_STATUS_PENDING, credentials(ADMIN).rotateCredentials(keyed).getRotationStatus());
        aws.resetFaults();
        aws.resetCalls();

        RotateCredentialsResponse retried = credentials(ADMIN).rotateCredentials(keyed);

        assertTrue(retried.getSuccess(), retried.getError());
        assertEquals(2, retried.getVersion());
        assertEquals(0, aws.calls("AmazonSSM.PutParameter"), "the retry wrote no second version");
        assertEquals(retried, credentials(ADMIN).rotateCredentials(keyed));
        assertEquals("new", get(ADMIN, portal).getCredentials().getPassword());
    }

    @Test
    void retriedRotationWithTheSameKeyOnSecretsManagerWritesItsOwnPendingVersion() {
        String portal = newPortal();
        Broker.register(ADMIN, portal);
        credentials(ADMIN).storeCredentials(StoreCredentialsRequest.newBuilder().setPortalId(portal)
                .setCredentials(credentialsWith("old")).setBackend(SecretBackend.SECRET_BACKEND_SECRETS_MANAGER).build());
        RotateCredentialsRequest generated = RotateCredentialsRequest.newBuilder().setPortalId(portal)
                .setIdempotencyKey("rotate-" + portal).build();
        aws.failNext(SM_STAGE, 10);
        assertFalse(credentials(ADMIN).rotateCredentials(generated).getSuccess());
        aws.resetFaults();

        RotateCredentialsResponse retried = credentials(ADMIN).rotateCredentials(generated);

        assertTrue(retried.getSuccess(), retried.getError());
        assertEquals(2, retried.getVersion());
    }

    @Test
    void nextRotationAfterAFailureSucceeds() {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "old");
        aws.passNext(SSM_LABEL, 1);
        aws.failNext(SSM_LABEL, 10);
        assertFalse(rotate(portal, "new").getSuccess());
        aws.resetFaults();

        RotateCredentialsResponse retried = rotate(portal, "newer");

        assertTrue(retried.getSuccess(), retried.getError());
        assertEquals(2, retried.getVersion());
        assertEquals("newer", get(ADMIN, portal).getCredentials().getPassword());
    }

    @Test
    void failureOnSecretsManagerStagesKeepsTheOldValue() {
        String portal = newPortal();
        Broker.register(ADMIN, portal);
        credentials(ADMIN).storeCredentials(StoreCredentialsRequest.newBuilder().setPortalId(portal)
                .setCredentials(credentialsWith("old")).setBackend(SecretBackend.SECRET_BACKEND_SECRETS_MANAGER).build());
        aws.failNext(SM_STAGE, 10);

        assertFailed(rotate(portal, "new"), "the secret store is unavailable; retry with backoff");

        assertEquals("old", get(ADMIN, portal).getCredentials().getPassword());
    }

    private static RotateCredentialsResponse rotate(String portal, String password) {
        return credentials(ADMIN).rotateCredentials(RotateCredentialsRequest.newBuilder()
                .setPortalId(portal)
                .setNewCredentials(credentialsWith(password))
                .build());
    }

    private static void assertFailed(RotateCredentialsResponse rotated, String error) {
        assertFalse(rotated.getSuccess());
        assertEquals(RotationStatus.ROTATION_STATUS_FAILED, rotated.getRotationStatus());
        assertEquals(1, rotated.getVersion());
        assertEquals(error, rotated.getError());
        assertFalse(rotated.hasRotatedAt());
    }
}
