package org.rcm.credentials.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rcm.credentials.support.AuditLog.last;
import static org.rcm.credentials.support.Broker.admin;
import static org.rcm.credentials.support.Broker.credentials;
import static org.rcm.credentials.support.Broker.credentialsWith;
import static org.rcm.credentials.support.Broker.newPortal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rcm.credentials.api.v1.CredentialSource;
import org.rcm.credentials.api.v1.DeleteCredentialsRequest;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.api.v1.GetCredentialsResponse;
import org.rcm.credentials.api.v1.RegisterEndpointRequest;
import org.rcm.credentials.api.v1.RotateCredentialsRequest;
import org.rcm.credentials.api.v1.RotateCredentialsResponse;
import org.rcm.credentials.api.v1.RotationStatus;
import org.rcm.credentials.api.v1.SecretBackend;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;
import org.rcm.credentials.api.v1.StoreCredentialsResponse;
import org.rcm.credentials.local.LocalServices;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Db;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestIdentity;

/** Register, store, get, rotate and delete over gRPC, on both backends, with their audit rows. */
@QuarkusTest
class CredentialLifecycleTest {

    private static final TestIdentity ADMIN = TestIdentity.TENANT_A_ADMIN;
    private static final String TENANT = "tenant-a";

    @Test
    void registeringCreatesThenUpdates() {
        String portal = newPortal();
        RegisterEndpointRequest.Builder request = RegisterEndpointRequest.newBuilder()
                .setPortalId(portal).setName("Aetna").setPortalType("insurance");

        assertTrue(admin(ADMIN).registerEndpoint(request.build()).getCreated());
        assertFalse(admin(ADMIN).registerEndpoint(request.setName("Aetna Provider Portal").build()).getCreated());

        assertEquals("Aetna Provider Portal", Db.endpoint(TENANT, portal).get("name"));
        assertThat(AuditLog.rows(TENANT, portal)).extracting(AuditLog.Row::accessType).containsExactly("register", "register");
    }

    @ParameterizedTest
    @EnumSource(value = SecretBackend.class, names = {"SECRET_BACKEND_SSM_PARAMETER_STORE", "SECRET_BACKEND_SECRETS_MANAGER"})
    void storedCredentialsAreReadBackFromTheSecretStore(SecretBackend backend) {
        String portal = newPortal();
        Broker.register(ADMIN, portal);

        StoreCredentialsResponse stored = credentials(ADMIN).storeCredentials(StoreCredentialsRequest.newBuilder()
                .setPortalId(portal).setCredentials(credentialsWith("s3cret")).setBackend(backend).build());
        GetCredentialsResponse read = credentials(TestIdentity.TENANT_A_WORKER).getCredentials(
                GetCredentialsRequest.newBuilder().setPortalId(portal).build());

        assertEquals(1, stored.getVersion());
        assertEquals(RotationStatus.ROTATION_STATUS_ACTIVE, stored.getRotationStatus());
        assertEquals("portal_user", read.getCredentials().getUsername());
        assertEquals("s3cret", read.getCredentials().getPassword());
        assertEquals("", read.getCredentials().getMfaSeed());
        assertEquals("BlueCross BlueShield", read.getCredentials().getMetadataMap().get("portal_name"));
        assertEquals(CredentialSource.CREDENTIAL_SOURCE_SECRET_STORE, read.getSource());
        assertEquals(1, read.getVersion());
        assertEquals(stored.getStoredAt(), read.getLastRotatedAt());

        Map<String, Object> row = Db.endpoint(TENANT, portal);
        String name = "rcm/" + TestEnvironment.ENVIRONMENT + "/tenant-a/" + portal;
        String arnPrefix = backend == SecretBackend.SECRET_BACKEND_SECRETS_MANAGER
                ? "arn:aws:secretsmanager:us-east-1:" + LocalServices.ACCOUNT_ID + ":secret:" + name + "-"
                : "arn:aws:ssm:us-east-1:" + LocalServices.ACCOUNT_ID + ":parameter/" + name;
        assertThat((String) row.get("secret_arn")).startsWith(arnPrefix);
        assertEquals("active", row.get("rotation_status"));
        assertThat(row.get("last_rotated_at")).isNotNull();
    }

    @Test
    void adminsGetTheMfaSeedWhenTheyAsk() {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "pw");

        GetCredentialsResponse read = credentials(ADMIN).getCredentials(
                GetCredentialsRequest.newBuilder().setPortalId(portal).setIncludeMfaSeed(true).build());

        assertEquals("JBSWY3DPEHPK3PXP", read.getCredentials().getMfaSeed());
    }

    @Test
    void workersNeverGetTheMfaSeed() {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "pw");

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> credentials(TestIdentity.TENANT_A_WORKER)
                .getCredentials(GetCredentialsRequest.newBuilder().setPortalId(portal).setIncludeMfaSeed(true).build()));

        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        AuditLog.Row row = last(AuditLog.rows(TENANT, portal));
        assertFalse(row.success());
        assertEquals("PERMISSION_DENIED: only admins may read the mfa_seed; workers use GenerateTotp", row.errorMessage());
    }

    @ParameterizedTest
    @EnumSource(value = SecretBackend.class, names = {"SECRET_BACKEND_SSM_PARAMETER_STORE", "SECRET_BACKEND_SECRETS_MANAGER"})
    void rotationWritesANewVersionWithAGeneratedPassword(SecretBackend backend) {
        String portal = newPortal();
        Broker.register(ADMIN, portal);
        credentials(ADMIN).storeCredentials(StoreCredentialsRequest.newBuilder()
                .setPortalId(portal).setCredentials(credentialsWith("old")).setBackend(backend).build());

        RotateCredentialsResponse rotated = credentials(ADMIN).rotateCredentials(
                RotateCredentialsRequest.newBuilder().setPortalId(portal).build());
        GetCredentialsResponse read = credentials(ADMIN).getCredentials(
                GetCredentialsRequest.newBuilder().setPortalId(portal).setIncludeMfaSeed(true).build());

        assertTrue(rotated.getSuccess(), rotated.getError());
        assertEquals(RotationStatus.ROTATION_STATUS_ACTIVE, rotated.getRotationStatus());
        assertEquals(2, rotated.getVersion());
        assertEquals("", rotated.getError());
        assertThat(read.getCredentials().getPassword()).hasSize(32).isNotEqualTo("old");
        assertEquals("portal_user", read.getCredentials().getUsername());
        assertEquals("JBSWY3DPEHPK3PXP", read.getCredentials().getMfaSeed());
        assertEquals(2, read.getVersion());
        assertEquals(rotated.getRotatedAt(), read.getLastRotatedAt());
        assertThat(AuditLog.rows(TENANT, portal)).extracting(AuditLog.Row::accessType)
                .containsExactly("register", "store", "rotate", "retrieve");
    }

    @ParameterizedTest
    @EnumSource(value = SecretBackend.class, names = {"SECRET_BACKEND_SSM_PARAMETER_STORE", "SECRET_BACKEND_SECRETS_MANAGER"})
    void deleteRemovesTheSecretAndItsReference(SecretBackend backend) {
        String portal = newPortal();
        Broker.register(ADMIN, portal);
        credentials(ADMIN).storeCredentials(StoreCredentialsRequest.newBuilder()
                .setPortalId(portal).setCredentials(credentialsWith("pw")).setBackend(backend).build());

        boolean deleted = credentials(ADMIN).deleteCredentials(DeleteCredentialsRequest.newBuilder().setPortalId(portal).build())
                .getDeleted();
        boolean deletedAgain = credentials(ADMIN).deleteCredentials(
                DeleteCredentialsRequest.newBuilder().setPortalId(portal).build()).getDeleted();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> credentials(ADMIN)
                .getCredentials(GetCredentialsRequest.newBuilder().setPortalId(portal).build()));

        assertTrue(deleted);
        assertFalse(deletedAgain);
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertEquals("no credentials for portal " + portal, e.getStatus().getDescription());
        assertNull(Db.endpoint(TENANT, portal).get("secret_arn"));
        assertNull(Db.endpoint(TENANT, portal).get("rotation_status"));
    }

    @Test
    void everyCallWritesOneAuditRowWithItsCaller() {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "pw");
        credentials(TestIdentity.TENANT_A_WORKER).getCredentials(GetCredentialsRequest.newBuilder().setPortalId(portal).build());

        AuditLog.Row row = last(AuditLog.rows(TENANT, portal));

        assertEquals(new AuditLog.Row(TENANT, portal, (String) Db.endpoint(TENANT, portal).get("secret_arn"), "retrieve",
                TestIdentity.TENANT_A_WORKER.principal(TestEnvironment.TRUST_DOMAIN), "127.0.0.1", row.userAgent(),
                true, null), row);
        assertThat(row.userAgent()).startsWith("rcm-tests/1.0");
    }

}
