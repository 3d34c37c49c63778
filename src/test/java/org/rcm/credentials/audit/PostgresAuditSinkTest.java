package org.rcm.credentials.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.Broker;

/**
 * The Postgres sink on its own: a batch sent again, because its connection was lost after
 * PostgreSQL had committed it (the writer cannot tell that from a failure), is not written twice.
 */
@QuarkusTest
class PostgresAuditSinkTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    PostgresAuditSink sink;

    @Test
    void aBatchSentAgainAfterItCommittedIsNotWrittenTwice() {
        String portal = Broker.newPortal();
        AuditChain chain = new AuditChain();
        AuditChain.Chained first = chained(chain, portal);
        AuditChain.Chained second = chained(chain, portal);

        sink.write(List.of(first), false).await().atMost(WAIT);
        // the first batch again (its answer was lost), with a row that was not in it
        sink.write(List.of(first, second), true).await().atMost(WAIT);

        assertThat(AuditLog.rows("tenant-a", portal)).hasSize(2);
    }

    private static AuditChain.Chained chained(AuditChain chain, String portal) {
        AuditEvent event = new AuditEvent("tenant-a", portal, null, AccessType.RETRIEVE, "spiffe://rcm.test/tenant/tenant-a/worker",
                "127.0.0.1", "sink-test", true, null, false, Instant.now());
        return new AuditChain.Chained(event, chain.append(event));
    }
}
