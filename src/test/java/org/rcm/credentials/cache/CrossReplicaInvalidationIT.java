package org.rcm.credentials.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.DeleteCredentialsRequest;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.api.v1.RotateCredentialsRequest;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;
import org.rcm.credentials.local.LocalBroker;
import org.rcm.credentials.support.Await;
import org.rcm.credentials.support.Broker;
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
        first = LocalBroker.start(TestEnvironment.brokerConfig(), 0, 0, Path.of("target/replica-1.log"), List.of());
        second = LocalBroker.start(TestEnvironment.brokerConfig(), 0, 0, Path.of("target/replica-2.log"), List.of());
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
