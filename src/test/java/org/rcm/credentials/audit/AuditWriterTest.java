package org.rcm.credentials.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.Await;
import org.rcm.credentials.support.Management;
import org.rcm.credentials.support.Metrics;
import org.rcm.credentials.support.TestEnvironment;

/**
 * The audit writer against the real database, cut or stalled through the proxy: which rows
 * reach {@code credential_access_log}, and what their callers are told. A row may record a
 * change already made, so no failure of the database loses it.
 */
@QuarkusTest
class AuditWriterTest {

    private static final String TENANT = "tenant-a";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    AuditWriter writer;

    @Inject
    MeterRegistry registry;

    @AfterEach
    void restoreDatabase() throws Exception {
        TestEnvironment.databaseProxy().restore();
        Await.until(WAIT, () -> writer.queued() == 0);
        Management.awaitReady();
    }

    @Test
    void rowWithAScopedIpv6AddressIsWritten() throws Exception {
        String portal = newPortal();
        Outcome outcome = record(event(portal, "fe80::1%eth0"));

        assertEquals(null, outcome.get());
        List<AuditLog.Row> rows = AuditLog.rows(TENANT, portal);
        assertThat(rows).hasSize(1);
        assertEquals("fe80::1", rows.get(0).ipAddress());
    }

    @Test
    void failedBatchIsRetriedAndWrittenWhenTheDatabaseIsBack() throws Exception {
        String portal = newPortal();
        double errors = batchFailures("error");

        TestEnvironment.databaseProxy().cut();
        Outcome outcome = record(event(portal, "10.0.0.1"));
        Await.until(WAIT, () -> batchFailures("error") > errors);
        assertThat(AuditLog.rows(TENANT, portal)).isEmpty();
        TestEnvironment.databaseProxy().restore();

        BrokerException failure = outcome.get();
        if (failure == null) {
            // fail-closed: success is reported only once the row has committed
            assertThat(AuditLog.rows(TENANT, portal)).hasSize(1);
        } else {
            // the deadline passed before the database came back
            assertEquals("AUDIT_UNAVAILABLE", failure.reason());
        }
        awaitWritten(portal, 1);
        outcome.assertCalledOnce();
    }

    @Test
    void callerPastItsDeadlineIsFailedAndItsRowIsStillWritten() throws Exception {
        String portal = newPortal();

        TestEnvironment.databaseProxy().cut();
        Outcome outcome = record(event(portal, "10.0.0.1"));
        BrokerException failure = outcome.get();
        assertThat(AuditLog.rows(TENANT, portal)).isEmpty();
        TestEnvironment.databaseProxy().restore();

        assertNotNull(failure);
        assertEquals(BrokerException.Kind.UNAVAILABLE, failure.kind());
        assertEquals("AUDIT_UNAVAILABLE", failure.reason());
        awaitWritten(portal, 1);
        outcome.assertCalledOnce();
    }

    /**
     * Its row was sent (and so joined its hash chain) before the deadline passed: it keeps its
     * values, and a second row records that the answer was withheld.
     */
    @Test
    void aReadPastItsDeadlineIsRecordedAsFailedSinceItsCredentialWasWithheld() throws Exception {
        String portal = newPortal();
        AuditEvent read = event(portal, "10.0.0.1");
        read = new AuditEvent(read.tenantId(), portal, null, AccessType.RETRIEVE, read.accessBy(), read.ipAddress(),
                read.userAgent(), true, null, false, read.accessedAt());

        TestEnvironment.databaseProxy().cut();
        Outcome outcome = record(read);
        assertNotNull(outcome.get());
        TestEnvironment.databaseProxy().restore();

        awaitWritten(portal, 2);
        assertThat(AuditLog.rows(TENANT, portal)).extracting(AuditLog.Row::success, AuditLog.Row::errorMessage)
                .containsExactlyInAnyOrder(tuple(true, null), tuple(false,
                        "UNAVAILABLE: the audit log did not confirm the access in time; no credential was released"));
    }

    @Test
    void hungWriteTimesOutAndItsRowsAreWrittenOnceWhenItAnswers() throws Exception {
        String portal = newPortal();
        double timeouts = batchFailures("timeout");

        TestEnvironment.databaseProxy().stall();
        Outcome outcome = record(event(portal, "10.0.0.1"));
        Await.until(WAIT, () -> batchFailures("timeout") > timeouts);
        String other = newPortal();
        Outcome later = record(event(other, "10.0.0.2"));
        TestEnvironment.databaseProxy().restore();

        assertNotNull(outcome.get(), "the call's deadline passed while the write hung");
        later.get();
        awaitWritten(portal, 1);
        awaitWritten(other, 1);
    }

    @Test
    void hungWriteThatNeverAnswersIsRetried() throws Exception {
        String portal = newPortal();
        double timeouts = batchFailures("timeout");

        TestEnvironment.databaseProxy().stall();
        Outcome outcome = record(event(portal, "10.0.0.1"));
        Await.until(WAIT, () -> batchFailures("timeout") > timeouts);
        // the hung connection dies with what it was sending: only a retry can write the row
        TestEnvironment.databaseProxy().cut();
        TestEnvironment.databaseProxy().restore();

        assertNotNull(outcome.get());
        awaitWritten(portal, 1);
    }

    @Test
    void rowTheDatabaseRefusesIsDroppedWithoutSinkingItsBatch() throws Exception {
        String good = newPortal();
        String bad = newPortal();
        String alsoGood = newPortal();
        double rejected = auditRows("rejected");
        double split = batchFailures("data");

        // two hung writes hold both writer slots, so the next three rows gather in one batch
        TestEnvironment.databaseProxy().stall();
        record(event(newPortal(), "10.0.0.1"));
        record(event(newPortal(), "10.0.0.2"));
        Outcome first = record(event(good, "10.0.0.3"));
        Outcome refused = record(event(bad, "not-an-address"));
        Outcome third = record(event(alsoGood, "10.0.0.4"));
        TestEnvironment.databaseProxy().restore();

        BrokerException failure = refused.get();
        assertNotNull(failure);
        assertEquals("AUDIT_UNAVAILABLE", failure.reason());
        awaitWritten(good, 1);
        awaitWritten(alsoGood, 1);
        assertThat(AuditLog.rows(TENANT, bad)).isEmpty();
        assertEquals(split + 1, batchFailures("data"));
        assertEquals(rejected + 1, auditRows("rejected"));
        first.get();
        third.get();
        // the writer's own lines (the embedded server logs the statement it refused, with its values)
        List<String> writerLines = Files.readAllLines(Path.of("target/test-logs/broker.log")).stream()
                .filter(line -> line.contains("[org.rcm.cre.aud.AuditWriter]"))
                .toList();
        assertThat(writerLines).anyMatch(line -> line.contains("Audit row dropped: the database refused it (SQLSTATE 22P02)"));
        assertThat(writerLines).noneMatch(line -> line.contains("not-an-address") || line.contains(bad));
    }

    private Outcome record(AuditEvent event) {
        Outcome outcome = new Outcome();
        writer.record(event, outcome::accept);
        return outcome;
    }

    /** Waits until the portal has {@code count} rows and nothing is left to write, then checks it has exactly that many. */
    private void awaitWritten(String portal, int count) throws Exception {
        Await.until(WAIT, () -> AuditLog.rows(TENANT, portal).size() >= count && writer.queued() == 0);
        assertThat(AuditLog.rows(TENANT, portal)).hasSize(count);
    }

    private double batchFailures(String reason) {
        return Metrics.count(registry, "rcm.audit.batch.failures", "reason", reason);
    }

    private double auditRows(String outcome) {
        return Metrics.count(registry, "rcm.audit.rows", "outcome", outcome);
    }

    static String newPortal() {
        return "audit-" + UUID.randomUUID();
    }

    static AuditEvent event(String portal, String address) {
        return new AuditEvent(TENANT, portal, null, AccessType.STORE, "spiffe://test.rcm/tenant/tenant-a/admin",
                address, "audit-writer-test", true, null, false, Instant.now());
    }

    /** What {@link AuditWriter#record} told one caller, and how often. */
    static final class Outcome {
        private final CompletableFuture<BrokerException> result = new CompletableFuture<>();
        private final AtomicInteger calls = new AtomicInteger();

        void accept(BrokerException failure) {
            calls.incrementAndGet();
            result.complete(failure);
        }

        /** The failure the caller was given, or null for committed; waits for it. */
        BrokerException get() throws Exception {
            return result.get(30, TimeUnit.SECONDS);
        }

        void assertCalledOnce() {
            assertEquals(1, calls.get(), "the callback is called exactly once");
        }
    }
}
