package org.rcm.credentials.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rcm.credentials.support.Broker.newPortal;

import com.google.protobuf.Timestamp;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.CredentialAdminServiceGrpc.CredentialAdminServiceBlockingStub;
import org.rcm.credentials.api.v1.DueRotation;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.api.v1.GetRotationScheduleRequest;
import org.rcm.credentials.api.v1.GetRotationScheduleResponse;
import org.rcm.credentials.api.v1.ListDueRotationsRequest;
import org.rcm.credentials.api.v1.ListDueRotationsResponse;
import org.rcm.credentials.api.v1.RotateCredentialsRequest;
import org.rcm.credentials.api.v1.SetRotationScheduleRequest;
import org.rcm.credentials.local.aws.LocalAwsControl;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestGrpc;

/**
 * Rotation schedules: set, read, listed when due (a page at a time), moved on by every
 * successful store or rotation, scoped to the caller's tenant, validated, audited.
 */
@QuarkusTest
class RotationScheduleTest {

    private final String tenant = "sched-" + UUID.randomUUID();
    private final Channel admin = TestGrpc.channel(tenant, "admin");

    @Test
    void aScheduleIsSetReadAndItsNextRotationFollowsTheLastStore() {
        String portal = newPortal();
        Broker.registerAndStore(admin, portal, "pw");
        Instant lastRotated = instant(Broker.credentials(admin).getCredentials(
                GetCredentialsRequest.newBuilder().setPortalId(portal).build()).getLastRotatedAt());

        Instant next = instant(admin().setRotationSchedule(SetRotationScheduleRequest.newBuilder().setPortalId(portal)
                .setRotationIntervalDays(30).setAutoRotate(true).addNotificationEmails("ops@example.test")
                .addNotificationEmails("security@example.test").build()).getNextRotationAt());
        GetRotationScheduleResponse schedule = get(portal);

        assertEquals(lastRotated.plus(Duration.ofDays(30)), next);
        assertEquals(30, schedule.getRotationIntervalDays());
        assertTrue(schedule.getAutoRotate());
        assertEquals(List.of("ops@example.test", "security@example.test"), schedule.getNotificationEmailsList());
        assertEquals(next, instant(schedule.getNextRotationAt()));
        assertEquals(lastRotated, instant(schedule.getLastRotatedAt()));
        assertEquals("", schedule.getLastResult());
        AuditLog.Row row = AuditLog.last(AuditLog.rows(tenant, portal));
        assertEquals("schedule", row.accessType());
        assertTrue(row.success());
    }

    @Test
    void zeroMeansNinetyDaysAndASecondSetReplacesTheFirst() {
        String portal = newPortal();
        Broker.registerAndStore(admin, portal, "pw");
        set(portal, 7, "first@example.test");

        admin().setRotationSchedule(SetRotationScheduleRequest.newBuilder().setPortalId(portal).build());

        GetRotationScheduleResponse schedule = get(portal);
        assertEquals(90, schedule.getRotationIntervalDays());
        assertEquals(List.of(), schedule.getNotificationEmailsList());
    }

    @Test
    void aSuccessfulRotationMovesTheScheduleOnAndAFailedOneOnlyRecordsItsResult() {
        String portal = newPortal();
        Broker.registerAndStore(admin, portal, "pw");
        set(portal, 10, "ops@example.test");
        LocalAwsControl aws = new LocalAwsControl(TestEnvironment.awsUri());

        var rotated = Broker.credentials(admin).rotateCredentials(RotateCredentialsRequest.newBuilder().setPortalId(portal).build());
        GetRotationScheduleResponse afterSuccess = get(portal);
        aws.failNext("AmazonSSM.PutParameter", 10);
        try {
            assertFalse(Broker.credentials(admin).rotateCredentials(
                    RotateCredentialsRequest.newBuilder().setPortalId(portal).build()).getSuccess());
        } finally {
            aws.resetFaults();
        }
        GetRotationScheduleResponse afterFailure = get(portal);

        assertEquals(instant(rotated.getRotatedAt()).plus(Duration.ofDays(10)), instant(afterSuccess.getNextRotationAt()));
        assertEquals("success", afterSuccess.getLastResult());
        assertEquals("failed", afterFailure.getLastResult());
        assertEquals(afterSuccess.getNextRotationAt(), afterFailure.getNextRotationAt(), "a failure does not move it");
    }

    @Test
    void dueRotationsAreListedEarliestFirstAPageAtATimeForTheCallersTenantOnly() {
        List<String> due = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String portal = "due-" + i + "-" + UUID.randomUUID();
            Broker.registerAndStore(admin, portal, "pw");
            admin().setRotationSchedule(SetRotationScheduleRequest.newBuilder().setPortalId(portal).setRotateNow(true).build());
            due.add(portal);
        }
        String notDue = newPortal();
        Broker.registerAndStore(admin, notDue, "pw");
        set(notDue, 30, "ops@example.test");
        Channel otherTenant = TestGrpc.channel("sched-other-" + UUID.randomUUID(), "admin");
        String othersDue = newPortal();
        Broker.registerAndStore(otherTenant, othersDue, "pw");
        Broker.admin(otherTenant).setRotationSchedule(SetRotationScheduleRequest.newBuilder().setPortalId(othersDue)
                .setRotateNow(true).build());

        List<DueRotation> listed = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String token = "";
        do {
            ListDueRotationsResponse page = Broker.admin(TestGrpc.channel(tenant, "worker")).listDueRotations(
                    ListDueRotationsRequest.newBuilder().setPageSize(2).setPageToken(token).build());
            listed.addAll(page.getDueList());
            pageSizes.add(page.getDueCount());
            token = page.getNextPageToken();
        } while (!token.isEmpty());

        assertEquals(due, listed.stream().map(DueRotation::getPortalId).toList(), "every due portal once, earliest first");
        assertEquals(List.of(2, 2, 1), pageSizes);
        List<Instant> times = listed.stream().map(d -> instant(d.getNextRotationAt())).toList();
        List<Instant> sorted = new ArrayList<>(times);
        Collections.sort(sorted);
        assertEquals(sorted, times);
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        String portal = newPortal();
        Broker.registerAndStore(admin, portal, "pw");
        set(portal, 30, "ops@example.test");

        assertInvalid(portal, "rotation_interval_days must be 1..3650 (0 means 90)", b -> b.setRotationIntervalDays(-1));
        assertInvalid(portal, "rotation_interval_days must be 1..3650 (0 means 90)", b -> b.setRotationIntervalDays(3651));
        assertInvalid(portal, "notification_emails holds at most 10 addresses", b -> {
            for (int i = 0; i < 11; i++) {
                b.addNotificationEmails("ops" + i + "@example.test");
            }
        });
        for (String malformed : List.of("ops", "ops@localhost", "ops @example.test", "ops@example.test\r\nBcc: x@y.test",
                "Ops <ops@example.test>", "ops@example.test,x@y.test", "")) {
            assertInvalid(portal, "notification_emails[0] is not a plain e-mail address", b -> b.addNotificationEmails(malformed));
        }
        assertInvalid(portal, "notification_emails[1] is listed twice",
                b -> b.addNotificationEmails("ops@example.test").addNotificationEmails("ops@example.test"));
        StatusRuntimeException badToken = assertThrows(StatusRuntimeException.class, () -> admin().listDueRotations(
                ListDueRotationsRequest.newBuilder().setPageToken("not-a-token").build()));
        StatusRuntimeException badSize = assertThrows(StatusRuntimeException.class, () -> admin().listDueRotations(
                ListDueRotationsRequest.newBuilder().setPageSize(1001).build()));

        assertEquals(Status.Code.INVALID_ARGUMENT, badToken.getStatus().getCode());
        assertEquals(Status.Code.INVALID_ARGUMENT, badSize.getStatus().getCode());
        GetRotationScheduleResponse unchanged = get(portal);
        assertEquals(30, unchanged.getRotationIntervalDays());
        assertEquals(List.of("ops@example.test"), unchanged.getNotificationEmailsList());
        assertFalse(AuditLog.rows(tenant, portal).stream().filter(row -> row.accessType().equals("schedule"))
                .allMatch(AuditLog.Row::success), "the refused calls are audited as failures");
    }

    @Test
    void anotherTenantsPortalAndAPortalWithoutScheduleAreNotFound() {
        String portal = newPortal();
        Broker.registerAndStore(admin, portal, "pw");
        CredentialAdminServiceBlockingStub other = Broker.admin(TestGrpc.channel("sched-other-" + UUID.randomUUID(), "admin"));

        StatusRuntimeException setOther = assertThrows(StatusRuntimeException.class, () -> other.setRotationSchedule(
                SetRotationScheduleRequest.newBuilder().setPortalId(portal).build()));
        StatusRuntimeException getNone = assertThrows(StatusRuntimeException.class, () -> get(portal));

        assertEquals(Status.Code.NOT_FOUND, setOther.getStatus().getCode());
        assertEquals("portal " + portal + " is not registered", setOther.getStatus().getDescription());
        assertEquals(Status.Code.NOT_FOUND, getNone.getStatus().getCode());
        assertEquals("portal " + portal + " has no rotation schedule", getNone.getStatus().getDescription());
    }

    private void assertInvalid(String portal, String message, Consumer<SetRotationScheduleRequest.Builder> change) {
        SetRotationScheduleRequest.Builder request = SetRotationScheduleRequest.newBuilder().setPortalId(portal);
        change.accept(request);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> admin().setRotationSchedule(request.build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), message);
        assertThat(e.getStatus().getDescription()).isEqualTo(message);
    }

    private void set(String portal, int days, String email) {
        admin().setRotationSchedule(SetRotationScheduleRequest.newBuilder().setPortalId(portal)
                .setRotationIntervalDays(days).addNotificationEmails(email).build());
    }

    private GetRotationScheduleResponse get(String portal) {
        return admin().getRotationSchedule(GetRotationScheduleRequest.newBuilder().setPortalId(portal).build());
    }

    private CredentialAdminServiceBlockingStub admin() {
        return Broker.admin(admin);
    }

    static Instant instant(Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }
}
