package org.rcm.credentials.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rcm.credentials.support.Broker.newPortal;

import io.grpc.ManagedChannel;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rcm.credentials.api.v1.CredentialServiceGrpc.CredentialServiceBlockingStub;
import org.rcm.credentials.api.v1.DeleteCredentialsRequest;
import org.rcm.credentials.api.v1.RotateCredentialsRequest;
import org.rcm.credentials.api.v1.SecretBackend;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;
import org.rcm.credentials.local.LocalServices;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Db;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestGrpc;
import org.rcm.credentials.support.TestIdentity;

/**
 * The audit rows of Store, Rotate and Delete, field by field: the access type, the caller's
 * certificate identity, the full ARN of the secret touched (the audit table may hold it), the
 * caller's address and user agent, success, and no error message.
 */
@QuarkusTest
class ChangeAuditRowsTest {

    private static final TestIdentity ADMIN = TestIdentity.TENANT_A_ADMIN;
    private static final String TENANT = "tenant-a";
    private static final String USER_AGENT = "change-audit-test/2.5";

    private ManagedChannel channel;
    private CredentialServiceBlockingStub broker;

    @BeforeEach
    void connect() {
        channel = TestGrpc.newChannel(ADMIN, TestGrpc.port(), USER_AGENT);
        broker = Broker.credentials(channel);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        TestGrpc.shutdown(channel);
    }

    @ParameterizedTest
    @EnumSource(value = SecretBackend.class, names = {"SECRET_BACKEND_SSM_PARAMETER_STORE", "SECRET_BACKEND_SECRETS_MANAGER"})
    void storeRotateAndDeleteRowsNameTheCallerAndTheSecret(SecretBackend backend) {
        String portal = newPortal();
        Broker.register(ADMIN, portal);

        broker.storeCredentials(StoreCredentialsRequest.newBuilder()
                .setPortalId(portal).setCredentials(Broker.credentialsWith("pw")).setBackend(backend).build());
        String arn = (String) Db.endpoint(TENANT, portal).get("secret_arn");
        assertTrue(broker.rotateCredentials(RotateCredentialsRequest.newBuilder().setPortalId(portal).build()).getSuccess());
        assertTrue(broker.deleteCredentials(DeleteCredentialsRequest.newBuilder().setPortalId(portal).build()).getDeleted());

        assertThat(arn).matches(expectedArn(backend, portal));
        List<AuditLog.Row> rows = AuditLog.rows(TENANT, portal);
        assertThat(rows).extracting(AuditLog.Row::accessType).containsExactly("register", "store", "rotate", "delete");
        for (AuditLog.Row row : rows.subList(1, 4)) {
            assertThat(row.userAgent()).as(row.accessType()).startsWith(USER_AGENT);
            assertEquals(new AuditLog.Row(TENANT, portal, arn, row.accessType(), ADMIN.principal(TestEnvironment.TRUST_DOMAIN),
                    "127.0.0.1", row.userAgent(), true, null), row);
        }
    }

    /** The full ARN: SSM parameter ARNs are exact; Secrets Manager adds a random six-character suffix. */
    private static String expectedArn(SecretBackend backend, String portal) {
        String account = LocalServices.ACCOUNT_ID;
        return backend == SecretBackend.SECRET_BACKEND_SECRETS_MANAGER
                ? "\\Qarn:aws:secretsmanager:us-east-1:" + account + ":secret:rcm/dev/" + TENANT + "/" + portal + "-\\E[A-Za-z0-9]{6}"
                : "\\Qarn:aws:ssm:us-east-1:" + account + ":parameter/rcm/dev/" + TENANT + "/" + portal + "\\E";
    }
}
