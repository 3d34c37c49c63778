package org.rcm.credentials.secretstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.api.v1.SecretBackend;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;
import org.rcm.credentials.local.aws.LocalAwsControl;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Db;
import org.rcm.credentials.support.OperatorAws;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestGrpc;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * What only real AWS did before the local endpoint learnt it (AwsConformanceTest), handled by
 * the service: concurrent updates retried, an Advanced parameter written without a downgrade,
 * the version limit a clear FAILED_PRECONDITION.
 */
@QuarkusTest
class AwsFidelityHandlingTest {

    private final LocalAwsControl aws = new LocalAwsControl(TestEnvironment.awsUri());
    private final String tenant = "fidelity-" + UUID.randomUUID();
    private final Channel admin = TestGrpc.channel(tenant, "admin");

    @AfterEach
    void resetFaults() {
        aws.resetFaults();
    }

    @Test
    void tooManyUpdatesIsRetriedWithBackoffThenUnavailable() {
        String portal = Broker.newPortal();
        Broker.registerAndStore(admin, portal, "pw-1");
        aws.resetCalls();
        aws.errorNext("AmazonSSM.PutParameter", 1, "TooManyUpdates");

        store(portal, "pw-2");

        assertEquals(2, aws.calls("AmazonSSM.PutParameter"), "refused once, retried once");
        assertEquals("pw-2", read(portal));
        aws.errorNext("AmazonSSM.PutParameter", 100, "TooManyUpdates");
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> store(portal, "pw-3"));
        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
        assertThat(refused.getStatus().getDescription()).isEqualTo("the secret store is throttling requests; retry with backoff");
        assertEquals("pw-2", read(portal));
    }

    @Test
    void aParameterMadeAdvancedElsewhereIsWrittenWithoutADowngrade() {
        String portal = Broker.newPortal();
        Broker.registerAndStore(admin, portal, "pw-1");
        String arn = Db.text("SELECT secret_arn FROM integration_endpoint WHERE tenant_id = ? AND portal_id = ?", tenant, portal);
        String name = OperatorAws.parameterName(arn);
        try (SsmClient ssm = OperatorAws.ssm()) {
            ssm.putParameter(r -> r.name(name).value(ssm.getParameter(g -> g.name(name).withDecryption(true)).parameter().value())
                    .type(ParameterType.SECURE_STRING).tier(ParameterTier.ADVANCED).overwrite(true));

            store(portal, "pw-2");

            assertEquals("pw-2", read(portal));
            assertEquals(ParameterTier.ADVANCED, ssm.getParameterHistory(h -> h.name(name)).parameters().stream()
                    .reduce((first, last) -> last).orElseThrow().tier());
        }
    }

    @Test
    void theVersionLimitIsAFailedPreconditionThatSaysWhatToDo() {
        String portal = Broker.newPortal();
        Broker.register(admin, portal, "");
        Broker.credentials(admin).storeCredentials(StoreCredentialsRequest.newBuilder().setPortalId(portal)
                .setCredentials(Broker.credentialsWith("pw-1")).setBackend(SecretBackend.SECRET_BACKEND_SECRETS_MANAGER).build());
        aws.errorNext("secretsmanager.PutSecretValue", 1, "LimitExceededException");

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> Broker.credentials(admin)
                .storeCredentials(StoreCredentialsRequest.newBuilder().setPortalId(portal).setCredentials(Broker.credentialsWith(
                        "pw-2")).setBackend(SecretBackend.SECRET_BACKEND_SECRETS_MANAGER).build()));

        assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
        assertThat(refused.getStatus().getDescription()).contains("at most 100 versions").contains("every 15 minutes");
        assertEquals("pw-1", read(portal));
    }

    private void store(String portal, String password) {
        Broker.credentials(admin).storeCredentials(StoreCredentialsRequest.newBuilder().setPortalId(portal)
                .setCredentials(Broker.credentialsWith(password)).build());
    }

    private String read(String portal) {
        return Broker.credentials(admin).getCredentials(GetCredentialsRequest.newBuilder().setPortalId(portal).build())
                .getCredentials().getPassword();
    }
}
