package org.rcm.credentials.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.api.v1.GetCredentialsResponse;
import org.rcm.credentials.support.Await;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Management;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestIdentity;

/**
 * A replica that misses a change's invalidation (its LISTEN connection was down when the
 * change committed) does not serve what the change removed: while it is not listening it
 * reads through its endpoint cache, and once it listens again it has dropped it.
 */
@QuarkusTest
class LostInvalidationTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    CacheInvalidationBus bus;

    /** The cut ends with a reconnect of the invalidation listener, which drops every cache: not in a later test. */
    @AfterEach
    void awaitReady() throws Exception {
        Management.awaitReady();
    }

    @Test
    void aDeleteWhoseNoticeWasLostIsNotUndoneByTheCache() throws Exception {
        String portal = "lost-notice-" + UUID.randomUUID();
        Broker.registerAndStore(TestIdentity.TENANT_A_ADMIN, portal, "deleted-elsewhere");
        Await.until(WAIT, bus::listening);
        assertEquals("deleted-elsewhere", get(portal).getCredentials().getPassword()); // cached here now

        TestEnvironment.databaseProxy().cut();
        try {
            Await.until(WAIT, () -> !bus.listening());
            deleteOnAnotherReplica(portal); // its notice cannot reach this replica
        } finally {
            TestEnvironment.databaseProxy().restore();
        }

        assertEquals(Status.Code.NOT_FOUND, codeOfGetOnceTheDatabaseAnswers(portal));
    }

    /** What Delete records, and its notice, sent by another replica straight to the database. */
    private static void deleteOnAnotherReplica(String portal) throws Exception {
        try (Connection c = TestEnvironment.database().connect(); PreparedStatement delete = c.prepareStatement("""
                UPDATE integration_endpoint
                   SET secret_arn = NULL, secret_version_id = NULL, pending_version_id = NULL, rotation_status = NULL,
                       rotation_started_at = NULL, secret_version = secret_version + 1
                 WHERE tenant_id = 'tenant-a' AND portal_id = ?""")) {
            delete.setString(1, portal);
            assertEquals(1, delete.executeUpdate());
            c.createStatement().execute("SELECT pg_notify('" + CacheInvalidationBus.CHANNEL + "', '"
                    + CacheKeys.hash(CacheKeys.endpoint("tenant-a", portal)) + "')");
        }
    }

    /** GetCredentials' status, retried while the broker's connections come back (UNAVAILABLE); a served credential fails. */
    private static Status.Code codeOfGetOnceTheDatabaseAnswers(String portal) throws InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (true) {
            try {
                String password = get(portal).getCredentials().getPassword();
                return fail("served the deleted credential: " + (password.equals("deleted-elsewhere") ? "the old password" : "?"));
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || Instant.now().isAfter(deadline)) {
                    return e.getStatus().getCode();
                }
                Thread.sleep(50);
            }
        }
    }

    private static GetCredentialsResponse get(String portal) {
        return Broker.credentials(TestIdentity.TENANT_A_WORKER)
                .getCredentials(GetCredentialsRequest.newBuilder().setPortalId(portal).build());
    }
}
