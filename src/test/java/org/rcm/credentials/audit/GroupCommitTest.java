package org.rcm.credentials.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.config.BrokerConfig.AuditMode;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.metrics.BrokerMetrics;
import org.rcm.credentials.support.Await;

/**
 * The audit writer's batching and retry policy on its own, against a sink that the test
 * scripts: no SQL, no database. (The Postgres sink is exercised by the Quarkus tests.)
 */
class GroupCommitTest {

    private final Vertx vertx = Vertx.vertx();
    private final ScriptedSink sink = new ScriptedSink();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aBatchThatFailsIsSentAgainAfterABackoffAndItsCallersAreToldOnceItCommits() throws Exception {
        AuditWriter writer = writer(1);
        sink.failNext(2, new IllegalStateException("connection lost"));

        BrokerException answer = record(writer, event("a"));

        assertNull(answer);
        assertThat(sink.attempts.get()).isEqualTo(3);
        // sent again, the batch asks the sink to skip rows its lost sends may have written
        assertThat(sink.sentBeforeFlags).containsExactly(false, true, true);
        assertThat(sink.committed).extracting(AuditEvent::portalId).containsExactly("a");
        assertEquals(0, writer.queued());
    }

    @Test
    void aBatchRefusedForItsDataIsSplitAndOnlyTheBadRowIsRefused() throws Exception {
        AuditWriter writer = writer(10);
        sink.refuse("bad");
        List<String> portals = List.of("good-1", "bad", "good-2");
        List<CompletableFuture<BrokerException>> answers = new ArrayList<>();
        portals.forEach(portal -> answers.add(new CompletableFuture<>()));
        vertx.runOnContext(ignored -> {
            for (int i = 0; i < portals.size(); i++) {
                writer.record(event(portals.get(i)), answers.get(i)::complete);
            }
        });

        assertNull(answers.get(0).get(10, TimeUnit.SECONDS));
        assertEquals("AUDIT_UNAVAILABLE", answers.get(1).get(10, TimeUnit.SECONDS).reason());
        assertNull(answers.get(2).get(10, TimeUnit.SECONDS));
        assertThat(sink.committed).extracting(AuditEvent::portalId).containsExactly("good-1", "good-2");
    }

    @Test
    void aFullQueueRefusesNewRowsFailClosed() throws Exception {
        AuditWriter writer = writer(1, 1);
        sink.hang();
        enqueue(writer, event("writing-1"));
        enqueue(writer, event("writing-2")); // both writer slots hang
        enqueue(writer, event("queued"));

        BrokerException refused = record(writer, event("refused"));

        assertEquals("the audit log is overloaded; no credential was released", refused.getMessage());
        assertEquals(3, writer.queued());
    }

    @Test
    void rowsKeepTheirPlaceInTheirTenantsChainWhenTheirBatchIsSentAgain() throws Exception {
        AuditWriter writer = writer(4);
        sink.failNext(3, new IllegalStateException("connection lost"));
        List<CompletableFuture<BrokerException>> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            answers.add(new CompletableFuture<>());
        }
        vertx.runOnContext(ignored -> {
            for (int i = 0; i < 20; i++) {
                writer.record(new AuditEvent("tenant-" + (i % 2), "p-" + i, null, AccessType.RETRIEVE, "worker", "::1", null,
                        true, null, false, Instant.now()), answers.get(i)::complete);
            }
        });
        for (CompletableFuture<BrokerException> answer : answers) {
            assertNull(answer.get(10, TimeUnit.SECONDS));
        }

        assertThat(sink.attempts.get()).isGreaterThan(3);
        for (String tenant : List.of("tenant-0", "tenant-1")) {
            List<AuditChain.Chained> chain = sink.chained.stream().filter(row -> row.event().tenantId().equals(tenant))
                    .sorted(Comparator.comparingLong(row -> row.link().seq())).toList();
            byte[] previous = AuditChain.GENESIS;
            for (int i = 0; i < chain.size(); i++) {
                AuditChain.Link link = chain.get(i).link();
                assertEquals(i + 1, link.seq());
                assertThat(link.prevHash()).isEqualTo(previous);
                assertThat(AuditChain.hash(AuditChain.sha256(), link.chainId(), link.seq(), link.prevHash(), chain.get(i).event()))
                        .isEqualTo(link.rowHash());
                previous = link.rowHash();
            }
            assertEquals(10, chain.size());
        }
    }

    @Test
    void aReadWithheldAfterItsRowWasChainedIsRecordedByARowOfItsOwn() throws Exception {
        AuditWriter writer = new AuditWriter(sink, vertx, new BrokerMetrics(new SimpleMeterRegistry()),
                new AuditWriter.Settings(AuditMode.FAIL_CLOSED, 10, Duration.ZERO, 2, 100, Duration.ofMillis(200),
                        Duration.ofSeconds(5)));
        sink.failNext(3, new IllegalStateException("connection lost")); // about 700 ms of backoff: past the deadline

        BrokerException answer = record(writer, event("read"));
        Await.until(Duration.ofSeconds(10), () -> writer.queued() == 0);

        assertEquals("AUDIT_UNAVAILABLE", answer.reason());
        assertThat(sink.committed).extracting(AuditEvent::success).containsExactly(true, false);
        assertThat(sink.committed.get(1).errorMessage()).contains("no credential was released");
        assertThat(sink.chained).extracting(row -> row.link().seq()).containsExactly(1L, 2L);
    }

    private AuditWriter writer(int batchSize) {
        return writer(batchSize, 100);
    }

    private AuditWriter writer(int batchSize, int capacity) {
        return new AuditWriter(sink, vertx, new BrokerMetrics(new SimpleMeterRegistry()),
                new AuditWriter.Settings(AuditMode.FAIL_CLOSED, batchSize, Duration.ofMillis(5), 2, capacity,
                        Duration.ofSeconds(30), Duration.ofSeconds(5)));
    }

    /** Records on a Vert.x context and waits for the answer: null when committed. */
    private BrokerException record(AuditWriter writer, AuditEvent event) throws Exception {
        CompletableFuture<BrokerException> answer = new CompletableFuture<>();
        vertx.runOnContext(ignored -> writer.record(event, answer::complete));
        return answer.get(10, TimeUnit.SECONDS);
    }

    /** Records without waiting for the answer; returns once the row is queued. */
    private void enqueue(AuditWriter writer, AuditEvent event) throws Exception {
        CompletableFuture<Void> queued = new CompletableFuture<>();
        vertx.runOnContext(ignored -> {
            writer.record(event, answer -> { });
            queued.complete(null);
        });
        queued.get(10, TimeUnit.SECONDS);
    }

    private static AuditEvent event(String portal) {
        return new AuditEvent("tenant", portal, null, AccessType.RETRIEVE, "worker", null, null, true, null, false,
                Instant.now());
    }

    /** A sink whose answers the test scripts: failures for the next attempts, refused rows, or no answer at all. */
    private static final class ScriptedSink implements AuditSink {
        final AtomicInteger attempts = new AtomicInteger();
        final List<Boolean> sentBeforeFlags = new CopyOnWriteArrayList<>();
        final List<AuditEvent> committed = new CopyOnWriteArrayList<>();
        final List<AuditChain.Chained> chained = new CopyOnWriteArrayList<>();
        private final AtomicInteger failures = new AtomicInteger();
        private volatile RuntimeException failure;
        private volatile String refused;
        private volatile boolean hang;

        void failNext(int count, RuntimeException failure) {
            this.failure = failure;
            failures.set(count);
        }

        void refuse(String portal) {
            refused = portal;
        }

        void hang() {
            hang = true;
        }

        @Override
        public Uni<Void> write(List<AuditChain.Chained> rows, boolean sentBefore) {
            attempts.incrementAndGet();
            sentBeforeFlags.add(sentBefore);
            if (hang) {
                return Uni.createFrom().nothing();
            }
            if (failures.getAndDecrement() > 0) {
                return Uni.createFrom().failure(failure);
            }
            if (rows.stream().anyMatch(row -> row.event().portalId().equals(refused))) {
                return Uni.createFrom().failure(new DataRefused());
            }
            rows.forEach(row -> committed.add(row.event()));
            chained.addAll(rows);
            return Uni.createFrom().voidItem();
        }

        @Override
        public boolean isDataError(Throwable failure) {
            return failure instanceof DataRefused;
        }

        @Override
        public String describe(Throwable failure) {
            return failure.getClass().getSimpleName();
        }
    }

    private static final class DataRefused extends RuntimeException {
        DataRefused() {
            super("refused", null, false, false);
        }
    }
}
