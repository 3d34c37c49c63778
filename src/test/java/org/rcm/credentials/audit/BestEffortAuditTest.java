package org.rcm.credentials.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.rcm.credentials.support.Broker.get;
import static org.rcm.credentials.support.Broker.newPortal;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.Await;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Management;
import org.rcm.credentials.support.Metrics;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestIdentity;

/**
 * Best-effort audit answers first and writes after: calls succeed while the audit store is
 * down, and their rows are written once it is back; the answer never waits for its row; a
 * queue full of unwritten rows drops (and counts) new ones instead of growing.
 */
@QuarkusTest
@TestProfile(BestEffortAuditTest.BestEffort.class)
class BestEffortAuditTest {

    public static class BestEffort implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("rcm.audit.mode", "best-effort", "rcm.audit.queue-capacity", String.valueOf(CAPACITY));
        }
    }

    private static final TestIdentity ADMIN = TestIdentity.TENANT_A_ADMIN;
    /** Rows that may wait; small, so that a hung database fills it. */
    static final int CAPACITY = 3;

    @Inject
    MeterRegistry registry;

    /** Cuts end with a reconnect of the invalidation listener, which drops every cache: not in a later test. */
    @AfterEach
    void awaitReady() throws Exception {
        Management.awaitReady();
    }

    @Test
    void callsAreServedWhileTheAuditStoreIsDownAndTheirRowsWrittenWhenItIsBack() throws Exception {
        Management.awaitReady();
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "pw");
        get(ADMIN, portal);

        TestEnvironment.databaseProxy().cut();
        try {
            assertEquals("pw", get(ADMIN, portal).getCredentials().getPassword());
        } finally {
            TestEnvironment.databaseProxy().restore();
        }

        Await.until(Duration.ofSeconds(20), () -> AuditLog.rows("tenant-a", portal).size() == 4);
    }

    @Test
    void theAnswerDoesNotWaitForItsRow() throws Exception {
        Management.awaitReady();
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "pw");
        get(ADMIN, portal);
        Await.until(Duration.ofSeconds(10), () -> AuditLog.rows("tenant-a", portal).size() == 3);

        TestEnvironment.databaseProxy().stall();
        try {
            assertEquals("pw", get(ADMIN, portal).getCredentials().getPassword());
            assertEquals(3, AuditLog.rows("tenant-a", portal).size());
        } finally {
            TestEnvironment.databaseProxy().restore();
        }

        Await.until(Duration.ofSeconds(20), () -> AuditLog.rows("tenant-a", portal).size() == 4);
    }

    @Test
    void aFullQueueDropsAndCountsRowsInsteadOfGrowing() throws Exception {
        Management.awaitReady();
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "pw");
        get(ADMIN, portal);
        Await.until(Duration.ofSeconds(10), () -> AuditLog.rows("tenant-a", portal).size() == 3);
        double dropped = dropped();
        int calls = 10;

        TestEnvironment.databaseProxy().stall();
        try {
            for (int i = 0; i < calls; i++) {
                assertEquals("pw", get(ADMIN, portal).getCredentials().getPassword());
            }
        } finally {
            TestEnvironment.databaseProxy().restore();
        }

        double droppedNow = dropped() - dropped;
        // at most CAPACITY rows wait, plus those of the (at most two) writes in flight
        assertThat(droppedNow).isBetween((double) calls - CAPACITY - 2, (double) calls - CAPACITY);
        Await.until(Duration.ofSeconds(20), () -> AuditLog.rows("tenant-a", portal).size() == 3 + calls - (int) droppedNow);
    }

    private double dropped() {
        return Metrics.count(registry, "rcm.audit.rows", "outcome", "dropped");
    }
}
