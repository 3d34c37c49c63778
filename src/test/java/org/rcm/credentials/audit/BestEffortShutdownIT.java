package org.rcm.credentials.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.local.LocalBroker;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.Await;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestGrpc;
import org.rcm.credentials.support.TestIdentity;

/**
 * A best-effort broker that stops with audit rows still queued writes them before it exits:
 * the rows of calls answered while the database hung are not lost on a clean shutdown.
 */
class BestEffortShutdownIT {

    private static final int CALLS = 200;

    @Test
    void queuedRowsAreWrittenBeforeTheBrokerStops() throws Exception {
        Map<String, String> config = new HashMap<>(TestEnvironment.brokerConfig());
        config.put("rcm.audit.mode", "best-effort");
        Path log = Path.of("target/best-effort-shutdown.log");
        LocalBroker broker = LocalBroker.start(config, 0, 0, log, List.of());
        String portal = "shutdown-" + UUID.randomUUID();
        ManagedChannel channel = null;
        Thread stopping = null;
        try {
            broker.awaitReady(Duration.ofSeconds(60));
            channel = TestGrpc.newChannel(TestIdentity.TENANT_A_ADMIN, broker.grpcPort(), "shutdown-test");
            storedPortal(channel, portal);

            TestEnvironment.databaseProxy().stall();
            for (int i = 0; i < CALLS; i++) {
                Broker.credentials(channel).getCredentials(GetCredentialsRequest.newBuilder().setPortalId(portal).build());
            }
            stopping = new Thread(broker::close, "stop-broker");
            stopping.start();
            Await.until(Duration.ofSeconds(20), () -> Files.readString(log).contains("queued audit rows before stopping"));
        } finally {
            TestEnvironment.databaseProxy().restore();
            if (stopping != null) {
                stopping.join(Duration.ofSeconds(30).toMillis());
            }
            if (channel != null) {
                TestGrpc.shutdown(channel);
            }
            broker.close();
        }

        // the calls made while the database hung, and the one that warmed the cache before
        assertEquals(CALLS + 1, AuditLog.rows("tenant-a", portal).stream().filter(r -> r.accessType().equals("retrieve")).count());
    }

    /** Registers and stores the portal, and reads it once so that later reads need no database. */
    private static void storedPortal(ManagedChannel channel, String portal) {
        Broker.registerAndStore(channel, portal, "pw");
        Broker.credentials(channel).getCredentials(GetCredentialsRequest.newBuilder().setPortalId(portal).build());
    }
}
