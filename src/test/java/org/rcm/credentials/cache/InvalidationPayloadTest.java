package org.rcm.credentials.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rcm.credentials.support.Broker.credentials;
import static org.rcm.credentials.support.Broker.credentialsWith;

import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.rcm.credentials.api.v1.DeleteCredentialsRequest;
import org.rcm.credentials.api.v1.RotateCredentialsRequest;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;
import org.rcm.credentials.local.LocalServices;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Db;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestIdentity;

/**
 * What other replicas learn from an invalidation: a NOTIFY on the service's channel whose
 * payload is a hex hash of the cache key, naming no ARN, tenant or portal. Read by a plain
 * JDBC session that LISTENs on the channel, as any database user could.
 */
@QuarkusTest
class InvalidationPayloadTest {

    private static final TestIdentity ADMIN = TestIdentity.TENANT_A_ADMIN;
    private static final String TENANT = "tenant-a";
    /** A channel of the test's own: its marker, sent after the broker answered, ends the wait. */
    private static final String MARKER_CHANNEL = "rcm_test_marker";

    @Test
    void storeRotateAndDeleteNotifyOnlyHashes() throws Exception {
        String portal = "portal-" + UUID.randomUUID();
        Broker.registerAndStore(ADMIN, portal, "first-pw");
        String arn = (String) Db.endpoint(TENANT, portal).get("secret_arn");
        String firstVersion = "1:" + Db.endpoint(TENANT, portal).get("secret_version_id");

        List<String> payloads;
        try (Connection listener = TestEnvironment.database().connect()) {
            listen(listener, CacheInvalidationBus.CHANNEL);
            listen(listener, MARKER_CHANNEL);

            credentials(ADMIN).storeCredentials(StoreCredentialsRequest.newBuilder()
                    .setPortalId(portal).setCredentials(credentialsWith("second-pw")).build());
            credentials(ADMIN).rotateCredentials(RotateCredentialsRequest.newBuilder().setPortalId(portal).build());
            credentials(ADMIN).deleteCredentials(DeleteCredentialsRequest.newBuilder().setPortalId(portal).build());

            payloads = invalidationsUntilMarker(listener, Duration.ofSeconds(20));
        }

        assertThat(payloads)
                .contains(CacheKeys.hash(CacheKeys.endpoint(TENANT, portal)))
                .contains(CacheKeys.hash(CacheKeys.secret(arn, firstVersion)));
        assertThat(payloads).allSatisfy(payload -> assertThat(payload)
                .matches("[0-9a-f]{32}")
                .doesNotContain(portal)
                .doesNotContain(TENANT)
                .doesNotContain("arn:")
                .doesNotContain(LocalServices.ACCOUNT_ID));
    }

    private static void listen(Connection connection, String channel) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("LISTEN " + channel);
        }
    }

    /**
     * Every payload on the service's channel until the marker arrives. The marker is committed
     * after the broker answered, and Postgres delivers notifications in commit order, so every
     * notification of the calls above has arrived by then.
     */
    private static List<String> invalidationsUntilMarker(Connection listener, Duration timeout) throws SQLException {
        String marker = UUID.randomUUID().toString();
        try (Connection sender = TestEnvironment.database().connect();
                PreparedStatement notify = sender.prepareStatement("SELECT pg_notify(?, ?)")) {
            notify.setString(1, MARKER_CHANNEL);
            notify.setString(2, marker);
            notify.execute();
        }
        PGConnection pg = listener.unwrap(PGConnection.class);
        List<String> payloads = new ArrayList<>();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            PGNotification[] notifications = pg.getNotifications(500);
            for (PGNotification n : notifications == null ? new PGNotification[0] : notifications) {
                if (n.getName().equals(MARKER_CHANNEL) && n.getParameter().equals(marker)) {
                    return payloads;
                }
                if (n.getName().equals(CacheInvalidationBus.CHANNEL)) {
                    payloads.add(n.getParameter());
                }
            }
        }
        throw new AssertionError("marker notification not received within " + timeout + "; got " + payloads);
    }
}
