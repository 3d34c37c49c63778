package org.rcm.credentials.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Channel;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.SetRotationScheduleRequest;
import org.rcm.credentials.local.LocalMailbox;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Db;
import org.rcm.credentials.support.MovableClock;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestGrpc;

/**
 * The rotation job: due rotations left to people are reminded of once, overdue ones escalated
 * once, each e-mail address gets one mail per run listing its events, and two runs at the
 * same time (two replicas) handle each portal once.
 */
@QuarkusTest
class RotationJobTest {

    private final String tenant = "job-" + UUID.randomUUID();
    private final Channel admin = TestGrpc.channel(tenant, "admin");
    private final LocalMailbox mailbox = TestEnvironment.mailbox();

    @Inject
    RotationJob job;

    @Test
    void twoRunsAtOnceRemindOfEachDuePortalOnceInOneMailPerAddress() {
        String address = "ops-" + UUID.randomUUID() + "@example.test";
        List<String> portals = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            portals.add(duePortal(address, false));
        }
        String leftToWorkers = duePortal(address, true);

        Uni.combine().all().unis(job.run(), job.run()).asTuple().await().atMost(Duration.ofSeconds(30));
        job.run().await().atMost(Duration.ofSeconds(30));

        for (String portal : portals) {
            assertEquals(1, outbox(portal, "rotation_due"), portal);
        }
        assertEquals(0, outbox(leftToWorkers, "rotation_due"), "auto-rotated portals are the workers' to pick up");
        List<LocalMailbox.Message> mails = mailbox.to(address);
        assertThat(mails).isNotEmpty();
        assertEquals(portals.size(), mails.stream().mapToLong(mail -> portals.stream().filter(mail.body()::contains).count()).sum(),
                "each portal in exactly one mail");
    }

    @Test
    void anOverdueRotationIsEscalatedOnce() {
        String address = "ops-" + UUID.randomUUID() + "@example.test";
        String portal = duePortal(address, true);
        job.run().await().atMost(Duration.ofSeconds(30));

        MovableClock.advance(Duration.ofDays(8));
        job.run().await().atMost(Duration.ofSeconds(30));
        job.run().await().atMost(Duration.ofSeconds(30));

        assertEquals(1, outbox(portal, "rotation_overdue"));
        assertThat(mailbox.to(address)).singleElement()
                .satisfies(mail -> assertThat(mail.body()).contains(portal).contains("overdue"));
    }

    private String duePortal(String address, boolean autoRotate) {
        String portal = "job-" + UUID.randomUUID();
        Broker.registerAndStore(admin, portal, "pw");
        Broker.admin(admin).setRotationSchedule(SetRotationScheduleRequest.newBuilder().setPortalId(portal)
                .addNotificationEmails(address).setAutoRotate(autoRotate).setRotateNow(true).build());
        return portal;
    }

    private long outbox(String portal, String kind) {
        return Db.count("SELECT count(*) FROM notification_outbox WHERE tenant_id = ? AND portal_id = ? AND kind = ?",
                tenant, portal, kind);
    }
}
