package org.rcm.credentials.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.BeginRotationRequest;
import org.rcm.credentials.api.v1.BeginRotationResponse;
import org.rcm.credentials.api.v1.CompleteRotationRequest;
import org.rcm.credentials.api.v1.DeleteCredentialsRequest;
import org.rcm.credentials.api.v1.GenerateTotpRequest;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.api.v1.RotateCredentialsRequest;
import org.rcm.credentials.api.v1.SetRotationScheduleRequest;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;
import org.rcm.credentials.local.LocalBroker;
import org.rcm.credentials.local.LocalMailbox;
import org.rcm.credentials.local.MetricsText;
import org.rcm.credentials.support.Await;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Management;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestGrpc;
import org.rcm.credentials.support.TestIdentity;

/**
 * Two replicas of the packaged broker on one database: a write through the first invalidates
 * the second's caches through Postgres LISTEN/NOTIFY, so the second stops serving the old
 * value within moments, long before its cache entries would expire (minutes).
 */
class CrossReplicaInvalidationIT {

    private static LocalBroker first;
    private static LocalBroker second;
    private static ManagedChannel toFirst;
    private static ManagedChannel toSecond;

    @BeforeAll
    static void startReplicas() {
        Map<String, String> config = new HashMap<>(TestEnvironment.brokerConfig());
        config.put("rcm.rotation.job-interval", "1s");
        first = LocalBroker.start(config, 0, 0, Path.of("target/replica-1.log"), List.of());
        second = LocalBroker.start(config, 0, 0, Path.of("target/replica-2.log"), List.of());
        first.awaitReady(Duration.ofSeconds(60));
        second.awaitReady(Duration.ofSeconds(60));
        toFirst = TestGrpc.newChannel(TestIdentity.TENANT_A_ADMIN, first.grpcPort(), "replica-test");
        toSecond = TestGrpc.newChannel(TestIdentity.TENANT_A_ADMIN, second.grpcPort(), "replica-test");
    }

    @AfterAll
    static void stopReplicas() throws InterruptedException {
        TestGrpc.shutdown(toFirst);
        TestGrpc.shutdown(toSecond);
        first.close();
        second.close();
    }

    @Test
    void rotationThroughOneReplicaIsSeenByTheOther() throws Exception {
        String portal = storedPortal("old");
        assertEquals("old", password(toSecond, portal));

        Broker.credentials(toFirst).rotateCredentials(RotateCredentialsRequest.newBuilder()
                .setPortalId(portal).setNewCredentials(Broker.credentialsWith("rotated")).build());

        Await.until(Duration.ofSeconds(10), () -> password(toSecond, portal).equals("rotated"));
    }

    @Test
    void storeThroughOneReplicaIsSeenByTheOther() throws Exception {
        String portal = storedPortal("old");
        assertEquals("old", password(toSecond, portal));

        Broker.credentials(toFirst).storeCredentials(StoreCredentialsRequest.newBuilder()
                .setPortalId(portal).setCredentials(Broker.credentialsWith("stored")).build());

        Await.until(Duration.ofSeconds(10), () -> password(toSecond, portal).equals("stored"));
    }

    @Test
    void deleteThroughOneReplicaIsSeenByTheOther() throws Exception {
        String portal = storedPortal("old");
        assertEquals("old", password(toSecond, portal));

        Broker.credentials(toFirst).deleteCredentials(DeleteCredentialsRequest.newBuilder().setPortalId(portal).build());

        Await.until(Duration.ofSeconds(10), () -> notFound(toSecond, portal));
    }

    @Test
    void aWorkerRotationCompletedThroughOneReplicaIsSeenByTheOther() throws Exception {
        String portal = storedPortal("old");
        assertEquals("old", password(toSecond, portal));
        BeginRotationResponse begun = Broker.credentials(toFirst).beginRotation(
                BeginRotationRequest.newBuilder().setPortalId(portal).build());
        assertEquals("old", password(toSecond, portal), "the pending password is nobody's yet");

        Broker.credentials(toFirst).completeRotation(CompleteRotationRequest.newBuilder().setPortalId(portal)
                .setRotationId(begun.getRotationId()).setSucceeded(true).build());

        String rotated = begun.getPendingCredentials().getPassword();
        Await.until(Duration.ofSeconds(10), () -> password(toSecond, portal).equals(rotated));
    }

    @Test
    void theRotationJobsOfBothReplicasRemindOfEachDuePortalOnce() throws Exception {
        String address = "ops-" + UUID.randomUUID() + "@example.test";
        List<String> portals = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String portal = storedPortal("pw");
            Broker.admin(toFirst).setRotationSchedule(SetRotationScheduleRequest.newBuilder().setPortalId(portal)
                    .addNotificationEmails(address).setRotateNow(true).build());
            portals.add(portal);
        }
        double[] runsBefore = {jobRuns(first), jobRuns(second)};

        // both replicas have run their job twice since the portals fell due
        Await.until(Duration.ofSeconds(30), () -> jobRuns(first) >= runsBefore[0] + 2 && jobRuns(second) >= runsBefore[1] + 2);

        List<LocalMailbox.Message> mails = TestEnvironment.mailbox().to(address);
        for (String portal : portals) {
            assertEquals(1, mails.stream().filter(mail -> mail.body().contains(portal)).count(), portal);
        }
    }

    @Test
    void anExclusiveTotpStepGoesToOneCallerAcrossReplicas() throws Exception {
        String portal = storedPortal("pw");
        Await.until(Duration.ofSeconds(35), () -> 30 - Instant.now().getEpochSecond() % 30 >= 5);
        GenerateTotpRequest exclusive = GenerateTotpRequest.newBuilder().setPortalId(portal).setExclusive(true).build();

        List<Status.Code> codes = Stream.of(toFirst, toSecond).parallel().map(channel -> {
            try {
                Broker.credentials(channel).generateTotp(exclusive);
                return Status.Code.OK;
            } catch (StatusRuntimeException e) {
                return e.getStatus().getCode();
            }
        }).sorted().toList();

        assertEquals(List.of(Status.Code.OK, Status.Code.RESOURCE_EXHAUSTED), codes);
    }

    /** The replica's rotation job runs so far, from its metrics. */
    private static double jobRuns(LocalBroker broker) throws Exception {
        return MetricsText.sum(MetricsText.parse(Management.metrics(broker.managementPort())), "rcm_rotation_job_total",
                "action=\"run\"");
    }

    private static String storedPortal(String password) {
        String portal = "replica-" + UUID.randomUUID();
        Broker.registerAndStore(toFirst, portal, password);
        return portal;
    }

    private static boolean notFound(ManagedChannel channel, String portal) {
        try {
            password(channel, portal);
            return false;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode() == Status.Code.NOT_FOUND;
        }
    }

    private static String password(ManagedChannel channel, String portal) {
        return Broker.credentials(channel).getCredentials(GetCredentialsRequest.newBuilder().setPortalId(portal).build())
                .getCredentials().getPassword();
    }
}
