package org.rcm.credentials.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Channel;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.BeginRotationRequest;
import org.rcm.credentials.api.v1.BeginRotationResponse;
import org.rcm.credentials.api.v1.CompleteRotationRequest;
import org.rcm.credentials.api.v1.SetRotationScheduleRequest;
import org.rcm.credentials.local.LocalBroker;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Db;
import org.rcm.credentials.support.Metrics;
import org.rcm.credentials.support.MovableClock;
import org.rcm.credentials.support.TestGrpc;

/**
 * A mail that cannot be delivered (the SMTP server is down) never fails the call that caused
 * it: it stays in the outbox, counted, and is tried again after a backoff.
 */
@QuarkusTest
@TestProfile(MailDeliveryFailureTest.SmtpDown.class)
class MailDeliveryFailureTest {

    /** The mailer points at a port nothing listens on. */
    public static class SmtpDown implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.mailer.port", String.valueOf(LocalBroker.freePort()));
        }
    }

    private final String tenant = "smtp-down-" + UUID.randomUUID();
    private final Channel admin = TestGrpc.channel(tenant, "admin");

    @Inject
    RotationJob job;

    @Inject
    MeterRegistry registry;

    @Test
    void anUndeliveredMailIsKeptCountedAndRetriedAfterABackoff() {
        String portal = "smtp-" + UUID.randomUUID();
        Broker.registerAndStore(admin, portal, "pw");
        Broker.admin(admin).setRotationSchedule(SetRotationScheduleRequest.newBuilder().setPortalId(portal)
                .setAutoRotate(true).addNotificationEmails("ops@example.test").build());
        BeginRotationResponse begun = Broker.credentials(admin).beginRotation(
                BeginRotationRequest.newBuilder().setPortalId(portal).build());
        Broker.credentials(admin).completeRotation(CompleteRotationRequest.newBuilder().setPortalId(portal)
                .setRotationId(begun.getRotationId()).setSucceeded(false).build()); // answers, though no mail can go
        double failedBefore = Metrics.count(registry, "rcm.notifications", "outcome", "failed");

        job.run().await().atMost(Duration.ofSeconds(30));
        job.run().await().atMost(Duration.ofSeconds(30)); // within the backoff: not tried again

        assertEquals(1, outbox(portal, "attempts = 1 AND sent_at IS NULL AND next_attempt_at > now()"));
        assertThat(Metrics.count(registry, "rcm.notifications", "outcome", "failed")).isEqualTo(failedBefore + 1);

        MovableClock.advance(Duration.ofMinutes(2));
        job.run().await().atMost(Duration.ofSeconds(30));

        assertEquals(1, outbox(portal, "attempts = 2 AND sent_at IS NULL"));
    }

    private long outbox(String portal, String condition) {
        return Db.count("SELECT count(*) FROM notification_outbox WHERE tenant_id = ? AND portal_id = ? AND " + condition,
                tenant, portal);
    }
}
