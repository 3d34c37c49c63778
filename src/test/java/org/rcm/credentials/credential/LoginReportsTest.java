package org.rcm.credentials.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rcm.credentials.api.v1.GenerateTotpRequest;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.api.v1.LoginOutcome;
import org.rcm.credentials.api.v1.ReportLoginOutcomeRequest;
import org.rcm.credentials.api.v1.ReportLoginOutcomeResponse;
import org.rcm.credentials.api.v1.ResumeCredentialsRequest;
import org.rcm.credentials.api.v1.RotateCredentialsRequest;
import org.rcm.credentials.api.v1.RotationStatus;
import org.rcm.credentials.api.v1.SecretBackend;
import org.rcm.credentials.api.v1.SetRotationScheduleRequest;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;
import org.rcm.credentials.rotation.RotationJob;
import org.rcm.credentials.secretstore.SecretValue;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.Await;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Db;
import org.rcm.credentials.support.OperatorAws;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestGrpc;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * Workers report their logins: three failures of the current version pause the credential
 * (nobody gets it, the schedule's addresses are mailed) until an admin resumes it or stores new
 * credentials; a lock-out pauses at once; a success resets the count; a report about an older
 * version does not count.
 */
@QuarkusTest
class LoginReportsTest {

    private final String tenant = "login-" + UUID.randomUUID();
    private final Channel admin = TestGrpc.channel(tenant, "admin");
    private final Channel worker = TestGrpc.channel(tenant, "worker");

    @Inject
    RotationJob job;

    @Test
    void threeFailedLoginsPauseTheCredentialUntilAnAdminResumesIt() throws Exception {
        String address = "ops-" + UUID.randomUUID() + "@example.test";
        String portal = storedPortal();
        Broker.admin(admin).setRotationSchedule(SetRotationScheduleRequest.newBuilder().setPortalId(portal)
                .setAutoRotate(true).addNotificationEmails(address).build());

        assertFalse(report(portal, LoginOutcome.LOGIN_OUTCOME_AUTH_FAILED, 1).getPaused());
        assertFalse(report(portal, LoginOutcome.LOGIN_OUTCOME_MFA_FAILED, 1).getPaused());
        ReportLoginOutcomeResponse third = report(portal, LoginOutcome.LOGIN_OUTCOME_AUTH_FAILED, 1);
        job.run().await().atMost(Duration.ofSeconds(30));

        assertTrue(third.getPaused());
        assertEquals(3, third.getConsecutiveFailures());
        assertPaused(() -> Broker.credentials(worker).getCredentials(GetCredentialsRequest.newBuilder().setPortalId(portal).build()),
                portal);
        assertPaused(() -> Broker.credentials(worker).generateTotp(GenerateTotpRequest.newBuilder().setPortalId(portal).build()),
                portal);
        // the scheduled run of the job may be the one that sends it, a moment later
        Await.until(Duration.ofSeconds(20), () -> !TestEnvironment.mailbox().to(address).isEmpty());
        assertThat(TestEnvironment.mailbox().to(address)).singleElement()
                .satisfies(mail -> assertThat(mail.body()).contains(portal).contains("paused").doesNotContain("old-pw"));
        assertThat(AuditLog.rows(tenant, portal)).filteredOn(row -> row.accessType().equals("login_outcome")).hasSize(3);

        assertEquals(RotationStatus.ROTATION_STATUS_ACTIVE, Broker.admin(admin).resumeCredentials(
                ResumeCredentialsRequest.newBuilder().setPortalId(portal).build()).getRotationStatus());
        assertEquals("old-pw", read(portal));
        assertEquals(1, report(portal, LoginOutcome.LOGIN_OUTCOME_AUTH_FAILED, 1).getConsecutiveFailures(), "counted afresh");
    }

    @Test
    void aLockOutPausesAtOnceAndStoringNewCredentialsHandsThemOutAgain() {
        String portal = storedPortal();

        assertTrue(report(portal, LoginOutcome.LOGIN_OUTCOME_LOCKED, 1).getPaused());
        Broker.credentials(admin).storeCredentials(StoreCredentialsRequest.newBuilder().setPortalId(portal)
                .setCredentials(Broker.credentialsWith("new-pw")).build());

        assertEquals("new-pw", read(portal));
    }

    @Test
    void aSuccessResetsTheCountAndAReportAboutAnOlderVersionDoesNotCount() {
        String portal = storedPortal();
        report(portal, LoginOutcome.LOGIN_OUTCOME_AUTH_FAILED, 1);
        report(portal, LoginOutcome.LOGIN_OUTCOME_AUTH_FAILED, 1);

        assertEquals(0, report(portal, LoginOutcome.LOGIN_OUTCOME_SUCCESS, 1).getConsecutiveFailures());
        Broker.credentials(admin).rotateCredentials(RotateCredentialsRequest.newBuilder().setPortalId(portal).build());
        for (int i = 0; i < 3; i++) {
            ReportLoginOutcomeResponse stale = report(portal, LoginOutcome.LOGIN_OUTCOME_AUTH_FAILED, 1);
            assertFalse(stale.getPaused());
            assertEquals(0, stale.getConsecutiveFailures(), "version 1 was rotated away");
        }
        assertEquals(1, report(portal, LoginOutcome.LOGIN_OUTCOME_AUTH_FAILED, 2).getConsecutiveFailures());
    }

    @ParameterizedTest
    @EnumSource(value = SecretBackend.class, names = {"SECRET_BACKEND_SSM_PARAMETER_STORE", "SECRET_BACKEND_SECRETS_MANAGER"})
    void aFailedLoginFindsAPasswordChangedInTheSecretStoreDirectly(SecretBackend backend) {
        String portal = "login-" + UUID.randomUUID();
        Broker.register(admin, portal, "");
        Broker.credentials(admin).storeCredentials(StoreCredentialsRequest.newBuilder().setPortalId(portal)
                .setCredentials(Broker.credentialsWith("old-pw")).setBackend(backend).build());
        String arn = Db.text("SELECT secret_arn FROM integration_endpoint WHERE tenant_id = ? AND portal_id = ?", tenant, portal);
        writeOutsideTheBroker(arn, "changed-in-the-console");
        assertEquals("old-pw", read(portal), "reads stay on the version the broker recorded");

        ReportLoginOutcomeResponse report = report(portal, LoginOutcome.LOGIN_OUTCOME_AUTH_FAILED, 1);

        assertEquals(2, report.getCurrentVersion());
        assertEquals(0, report.getConsecutiveFailures(), "a report about the version before does not count");
        assertFalse(report.getPaused());
        var read = Broker.credentials(worker).getCredentials(GetCredentialsRequest.newBuilder().setPortalId(portal).build());
        assertEquals("changed-in-the-console", read.getCredentials().getPassword());
        assertEquals(2, read.getVersion());
        assertEquals(1, report(portal, LoginOutcome.LOGIN_OUTCOME_AUTH_FAILED, 2).getConsecutiveFailures(),
                "the new version's failures count");
    }

    @Test
    void aReportWithoutVersionOrOutcomeIsRefused() {
        String portal = storedPortal();

        StatusRuntimeException noVersion = assertThrows(StatusRuntimeException.class,
                () -> report(portal, LoginOutcome.LOGIN_OUTCOME_AUTH_FAILED, 0));
        StatusRuntimeException noOutcome = assertThrows(StatusRuntimeException.class,
                () -> report(portal, LoginOutcome.LOGIN_OUTCOME_UNSPECIFIED, 1));

        assertEquals(Status.Code.INVALID_ARGUMENT, noVersion.getStatus().getCode());
        assertEquals("version is required: the version GetCredentials answered", noVersion.getStatus().getDescription());
        assertEquals(Status.Code.INVALID_ARGUMENT, noOutcome.getStatus().getCode());
        assertEquals("old-pw", read(portal), "nothing changed");
    }

    private String storedPortal() {
        String portal = "login-" + UUID.randomUUID();
        Broker.registerAndStore(admin, portal, "old-pw");
        return portal;
    }

    private ReportLoginOutcomeResponse report(String portal, LoginOutcome outcome, long version) {
        return Broker.credentials(worker).reportLoginOutcome(ReportLoginOutcomeRequest.newBuilder().setPortalId(portal)
                .setOutcome(outcome).setVersion(version).setDetail("portal said: invalid login").build());
    }

    private String read(String portal) {
        return Broker.credentials(worker).getCredentials(GetCredentialsRequest.newBuilder().setPortalId(portal).build())
                .getCredentials().getPassword();
    }

    /** What an operator does in the AWS console or CLI: a new version of the secret, not through the broker. */
    private static void writeOutsideTheBroker(String arn, String password) {
        String value = SecretValue.fromJson("{\"username\":\"user\",\"password\":\"" + password + "\"}").toJson();
        if (arn.contains(":ssm:")) {
            try (SsmClient ssm = OperatorAws.ssm()) {
                ssm.putParameter(r -> r.name(OperatorAws.parameterName(arn)).value(value).type(ParameterType.SECURE_STRING)
                        .overwrite(true));
            }
        } else {
            try (SecretsManagerClient secrets = OperatorAws.secretsManager()) {
                secrets.putSecretValue(r -> r.secretId(arn).secretString(value));
            }
        }
    }

    private static void assertPaused(Runnable call, String portal) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertEquals("the credentials of portal " + portal + " are paused after failed logins; an admin stores new ones,"
                + " completes a rotation or resumes them", e.getStatus().getDescription());
    }
}
