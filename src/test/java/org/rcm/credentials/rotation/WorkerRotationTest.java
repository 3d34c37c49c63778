package org.rcm.credentials.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.rcm.credentials.rotation.RotationScheduleTest.instant;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rcm.credentials.api.v1.BeginRotationRequest;
import org.rcm.credentials.api.v1.BeginRotationResponse;
import org.rcm.credentials.api.v1.CompleteRotationRequest;
import org.rcm.credentials.api.v1.CompleteRotationResponse;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.api.v1.GetCredentialsResponse;
import org.rcm.credentials.api.v1.GetRotationScheduleRequest;
import org.rcm.credentials.api.v1.RotationStatus;
import org.rcm.credentials.api.v1.SecretBackend;
import org.rcm.credentials.api.v1.SetRotationScheduleRequest;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;
import org.rcm.credentials.local.LocalMailbox;
import org.rcm.credentials.local.LocalServices;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.MovableClock;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestGrpc;

/**
 * Worker-driven rotation on both backends: a worker begins a due rotation and gets a new
 * password while everyone else still reads the old one; completing it makes the new one
 * current everywhere; failing it, or letting it expire, keeps the old one and sends exactly one
 * e-mail, which names nothing secret.
 */
@QuarkusTest
class WorkerRotationTest {

    private final String tenant = "worker-rot-" + UUID.randomUUID();
    private final Channel admin = TestGrpc.channel(tenant, "admin");
    private final Channel worker = TestGrpc.channel(tenant, "worker");
    private final LocalMailbox mailbox = TestEnvironment.mailbox();

    @Inject
    RotationJob job;

    @ParameterizedTest
    @EnumSource(value = SecretBackend.class, names = {"SECRET_BACKEND_SSM_PARAMETER_STORE", "SECRET_BACKEND_SECRETS_MANAGER"})
    void aWorkerBeginsADueRotationAndCompletingItMakesTheNewPasswordCurrent(SecretBackend backend) {
        String portal = duePortal(backend, "ops-" + UUID.randomUUID() + "@example.test");

        BeginRotationResponse begun = Broker.credentials(worker).beginRotation(BeginRotationRequest.newBuilder()
                .setPortalId(portal).build());
        GetCredentialsResponse meanwhile = read(worker, portal);
        CompleteRotationResponse completed = complete(worker, portal, begun.getRotationId(), true);

        String newPassword = begun.getPendingCredentials().getPassword();
        assertNotEquals("old", newPassword);
        assertEquals("portal_user", begun.getPendingCredentials().getUsername());
        assertEquals("", begun.getPendingCredentials().getMfaSeed(), "workers never get the seed");
        assertEquals(2, begun.getPendingVersion());
        assertEquals("old", meanwhile.getCredentials().getPassword());
        assertEquals(RotationStatus.ROTATION_STATUS_PENDING, meanwhile.getRotationStatus());
        assertEquals(RotationStatus.ROTATION_STATUS_ACTIVE, completed.getRotationStatus());
        assertEquals(2, completed.getVersion());
        GetCredentialsResponse after = read(admin, portal);
        assertEquals(newPassword, after.getCredentials().getPassword());
        assertEquals(2, after.getVersion());
        var schedule = Broker.admin(admin).getRotationSchedule(GetRotationScheduleRequest.newBuilder().setPortalId(portal).build());
        assertEquals("success", schedule.getLastResult());
        assertEquals(instant(completed.getRotatedAt()).plus(Duration.ofDays(90)), instant(schedule.getNextRotationAt()));
        assertEquals(completed, complete(worker, portal, begun.getRotationId(), true), "a retried Complete answers the same");
        assertRefused(Status.Code.FAILED_PRECONDITION, "the rotation was completed as succeeded already",
                () -> complete(worker, portal, begun.getRotationId(), false));
        assertThat(AuditLog.rows(tenant, portal)).filteredOn(row -> row.accessType().equals("rotate")).hasSize(4);
    }

    @ParameterizedTest
    @EnumSource(value = SecretBackend.class, names = {"SECRET_BACKEND_SSM_PARAMETER_STORE", "SECRET_BACKEND_SECRETS_MANAGER"})
    void aFailedRotationKeepsTheOldPasswordAndSendsOneMailThatNamesNothingSecret(SecretBackend backend) {
        String address = "ops-" + UUID.randomUUID() + "@example.test";
        String portal = duePortal(backend, address);
        BeginRotationResponse begun = Broker.credentials(worker).beginRotation(BeginRotationRequest.newBuilder()
                .setPortalId(portal).build());

        CompleteRotationResponse failed = Broker.credentials(worker).completeRotation(CompleteRotationRequest.newBuilder()
                .setPortalId(portal).setRotationId(begun.getRotationId()).setSucceeded(false)
                .setFailureReason("the portal refused the new password").build());
        job.run().await().atMost(Duration.ofSeconds(30));
        job.run().await().atMost(Duration.ofSeconds(30));

        assertEquals(RotationStatus.ROTATION_STATUS_FAILED, failed.getRotationStatus());
        assertEquals(1, failed.getVersion());
        assertEquals("old", read(worker, portal).getCredentials().getPassword());
        List<LocalMailbox.Message> mails = mailbox.to(address);
        assertThat(mails).hasSize(1);
        assertThat(mails.get(0).subject()).contains("failed").contains(portal);
        assertThat(mails.get(0).body()).contains(portal).contains(tenant)
                .doesNotContain("old").doesNotContain(begun.getPendingCredentials().getPassword())
                .doesNotContain("JBSWY3DPEHPK3PXP").doesNotContain(LocalServices.ACCOUNT_ID).doesNotContain("arn:")
                .doesNotContain("/rcm/").doesNotContain("refused the new password");
        // a new rotation can begin once the failed one has ended
        Broker.credentials(worker).beginRotation(BeginRotationRequest.newBuilder().setPortalId(portal).build());
    }

    @ParameterizedTest
    @EnumSource(value = SecretBackend.class, names = {"SECRET_BACKEND_SSM_PARAMETER_STORE", "SECRET_BACKEND_SECRETS_MANAGER"})
    void anAbandonedRotationExpiresKeepsTheOldPasswordAndSendsOneMail(SecretBackend backend) {
        String address = "ops-" + UUID.randomUUID() + "@example.test";
        String portal = duePortal(backend, address);
        BeginRotationResponse begun = Broker.credentials(worker).beginRotation(BeginRotationRequest.newBuilder()
                .setPortalId(portal).build());

        MovableClock.advance(Duration.ofMinutes(16));
        job.run().await().atMost(Duration.ofSeconds(30));
        job.run().await().atMost(Duration.ofSeconds(30));

        assertRefused(Status.Code.FAILED_PRECONDITION, "the rotation of portal " + portal
                + " has expired; the previous password stays current", () -> complete(worker, portal, begun.getRotationId(), true));
        GetCredentialsResponse read = read(worker, portal);
        assertEquals("old", read.getCredentials().getPassword());
        assertEquals(RotationStatus.ROTATION_STATUS_FAILED, read.getRotationStatus());
        assertThat(mailbox.to(address)).singleElement().satisfies(mail -> assertThat(mail.body()).contains("expired"));
    }

    @ParameterizedTest
    @EnumSource(value = SecretBackend.class, names = {"SECRET_BACKEND_SSM_PARAMETER_STORE"})
    void oneRotationAtATimeOnlyItsOwnCallerCompletesItAndAKeyedRetryAnswersTheSameRotation(SecretBackend backend) {
        String portal = duePortal(backend, "ops-" + UUID.randomUUID() + "@example.test");
        BeginRotationRequest keyed = BeginRotationRequest.newBuilder().setPortalId(portal).setIdempotencyKey("begin-" + portal)
                .build();

        BeginRotationResponse begun = Broker.credentials(worker).beginRotation(keyed);
        BeginRotationResponse retried = Broker.credentials(worker).beginRotation(keyed);

        assertEquals(begun, retried);
        assertRefused(Status.Code.ABORTED, null, () -> Broker.credentials(worker).beginRotation(
                BeginRotationRequest.newBuilder().setPortalId(portal).build()));
        assertRefused(Status.Code.ABORTED, null, () -> Broker.credentials(admin).storeCredentials(
                StoreCredentialsRequest.newBuilder().setPortalId(portal).setCredentials(Broker.credentialsWith("x")).build()));
        assertRefused(Status.Code.NOT_FOUND, null, () -> complete(admin, portal, begun.getRotationId(), true));
        assertRefused(Status.Code.NOT_FOUND, null, () -> complete(TestGrpc.channel("worker-rot-" + UUID.randomUUID(), "worker"),
                portal, begun.getRotationId(), true));
        assertRefused(Status.Code.INVALID_ARGUMENT, "rotation_id is not one BeginRotation gave",
                () -> complete(worker, portal, "not-a-uuid", true));
        assertEquals(RotationStatus.ROTATION_STATUS_ACTIVE, complete(worker, portal, begun.getRotationId(), true)
                .getRotationStatus());
    }

    @ParameterizedTest
    @EnumSource(value = SecretBackend.class, names = {"SECRET_BACKEND_SSM_PARAMETER_STORE"})
    void aWorkerMayNotBeginARotationThatIsNotDueButAnAdminMay(SecretBackend backend) {
        String portal = "not-due-" + UUID.randomUUID();
        store(portal, backend);
        Broker.admin(admin).setRotationSchedule(SetRotationScheduleRequest.newBuilder().setPortalId(portal)
                .setRotationIntervalDays(30).build());

        assertRefused(Status.Code.FAILED_PRECONDITION, "the rotation of portal " + portal
                + " is not due; an admin can make it due", () -> Broker.credentials(worker).beginRotation(
                        BeginRotationRequest.newBuilder().setPortalId(portal).build()));
        BeginRotationResponse byAdmin = Broker.credentials(admin).beginRotation(
                BeginRotationRequest.newBuilder().setPortalId(portal).build());
        assertEquals("JBSWY3DPEHPK3PXP", byAdmin.getPendingCredentials().getMfaSeed(), "admins see the whole value");
    }

    /**
     * A portal of this test's tenant with password "old" whose rotation is due and left to
     * workers (auto_rotate: no reminders), notifying {@code address}.
     */
    private String duePortal(SecretBackend backend, String address) {
        String portal = "rot-" + UUID.randomUUID();
        store(portal, backend);
        Broker.admin(admin).setRotationSchedule(SetRotationScheduleRequest.newBuilder().setPortalId(portal)
                .addNotificationEmails(address).setAutoRotate(true).setRotateNow(true).build());
        return portal;
    }

    private void store(String portal, SecretBackend backend) {
        Broker.register(admin, portal, "");
        Broker.credentials(admin).storeCredentials(StoreCredentialsRequest.newBuilder().setPortalId(portal)
                .setCredentials(Broker.credentialsWith("old")).setBackend(backend).build());
    }

    private static GetCredentialsResponse read(Channel channel, String portal) {
        return Broker.credentials(channel).getCredentials(GetCredentialsRequest.newBuilder().setPortalId(portal).build());
    }

    private static CompleteRotationResponse complete(Channel channel, String portal, String rotationId, boolean succeeded) {
        return Broker.credentials(channel).completeRotation(CompleteRotationRequest.newBuilder().setPortalId(portal)
                .setRotationId(rotationId).setSucceeded(succeeded).build());
    }

    private static void assertRefused(Status.Code code, String message, Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().getDescription());
        if (message != null) {
            assertEquals(message, e.getStatus().getDescription());
        }
    }
}
