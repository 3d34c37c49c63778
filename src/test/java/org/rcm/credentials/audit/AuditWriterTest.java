package org.rcm.credentials.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.support.AuditLog;

/** The audit writer against the real database: which rows reach {@code credential_access_log}, and what callers are told. */
@QuarkusTest
class AuditWriterTest {

    private static final String TENANT = "tenant-a";

    @Inject
    AuditWriter writer;

    @Test
    void rowWithAScopedIpv6AddressIsWritten() throws Exception {
        String portal = newPortal();
        Outcome outcome = record(event(portal, "fe80::1%eth0"));

        assertEquals(null, outcome.get());
        List<AuditLog.Row> rows = AuditLog.rows(TENANT, portal);
        assertThat(rows).hasSize(1);
        assertEquals("fe80::1", rows.get(0).ipAddress());
    }

    private Outcome record(AuditEvent event) {
        Outcome outcome = new Outcome();
        writer.record(event, outcome::accept);
        return outcome;
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
            BrokerException failure = result.get(30, TimeUnit.SECONDS);
            assertEquals(1, calls.get(), "the callback is called exactly once");
            return failure;
        }
    }
}
