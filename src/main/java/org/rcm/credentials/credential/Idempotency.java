package org.rcm.credentials.credential;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.function.Function;
import org.jboss.logging.Logger;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.reactive.VertxContexts;

/**
 * Idempotency keys for writes. The first request with a key runs and its answer is kept (for
 * {@code rcm.idempotency-ttl}); a retry with the same key and the same request gets that
 * answer without a second write; the same key with another request fails ALREADY_EXISTS; a
 * retry while the first is still running fails ABORTED. A request that failed before it wrote
 * anything releases its key. One whose write reached the secret store but whose outcome is not
 * settled (its record failed, or a rotation's promotion cannot be confirmed) keeps the key with
 * the version it wrote: a retry first asks the operation to settle that version (current: the
 * answer is kept; still unknown: the same unsettled answer) and writes again only when the
 * version is known not to be current, so a retry never writes twice what took effect once.
 *
 * <p>Requests are recognised by a {@link RequestFingerprint}, an HMAC under
 * {@code rcm.idempotency.key}; created at start-up, so that a missing or short key fails
 * start-up rather than the first request with an idempotency key.
 */
@Startup
@ApplicationScoped
public class Idempotency {

    private static final Logger LOG = Logger.getLogger(Idempotency.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STALE_IN_PROGRESS = Duration.ofMinutes(5);

    private final Pool pool;
    private final Vertx vertx;
    private final Duration ttl;
    private final Duration timeout;
    private final RequestFingerprint fingerprints;

    public Idempotency(Pool pool, Vertx vertx, BrokerConfig config) {
        this.pool = pool;
        this.vertx = vertx;
        this.ttl = config.idempotencyTtl();
        this.timeout = config.databaseTimeout();
        this.fingerprints = RequestFingerprint.fromBase64(config.idempotency().key());
    }

    /** How an operation's answer is kept. */
    public interface Codec<T> {
        String encode(T answer);

        T decode(String json);
    }

    /** What becomes of the key after an answer. */
    public enum Outcome {
        /** The answer is final: kept for retries. */
        KEEP,
        /** Nothing took effect: the key is released, a retry runs again. */
        RELEASE,
        /** The write may have taken effect: the key keeps the written version for a retry to settle. */
        UNSETTLED
    }

    /** A keyed operation: its name (part of the key's identity), its codec and how its answers end. */
    public record Operation<T>(String name, Codec<T> codec, Function<T, Outcome> outcome) {
    }

    /** The running request; the operation reports here the version it wrote to the secret store. */
    public static final class Attempt {
        private volatile String written;

        public void wrote(String versionId) {
            written = versionId;
        }
    }

    /**
     * Runs {@code action} once per key.
     *
     * @param request the request's canonical bytes; only their keyed fingerprint is stored
     * @param settle for a retry of an unsettled request: the answer for the version it wrote
     *     (classified like any answer), or null when that version is known not to be current
     *     and the request must run again
     */
    public <T> Uni<T> once(String tenant, String key, Operation<T> operation, byte[] request,
            Function<Attempt, Uni<T>> action, Function<String, Uni<T>> settle) {
        if (key.isEmpty()) {
            return action.apply(new Attempt());
        }
        return claim(tenant, key, operation.name(), fingerprints.of(request))
                .chain(claimed -> claimed
                        ? run(tenant, key, operation, action)
                        : replay(tenant, key, operation, request, action, settle));
    }

    private <T> Uni<T> run(String tenant, String key, Operation<T> operation, Function<Attempt, Uni<T>> action) {
        Attempt attempt = new Attempt();
        return action.apply(attempt)
                .call(answer -> end(tenant, key, operation, answer, attempt))
                .onFailure().call(() -> attempt.written == null ? release(tenant, key) : unsettled(tenant, key, attempt.written));
    }

    private <T> Uni<Void> end(String tenant, String key, Operation<T> operation, T answer, Attempt attempt) {
        return switch (operation.outcome().apply(answer)) {
            case KEEP -> complete(tenant, key, operation.codec().encode(answer));
            case UNSETTLED -> attempt.written == null ? release(tenant, key) : unsettled(tenant, key, attempt.written);
            case RELEASE -> release(tenant, key);
        };
    }

    private <T> Uni<T> replay(String tenant, String key, Operation<T> operation, byte[] request,
            Function<Attempt, Uni<T>> action, Function<String, Uni<T>> settle) {
        return bounded(pool.preparedQuery("SELECT operation, request_hash, response::text, unsettled_version, created_at"
                        + " FROM idempotency_record WHERE tenant_id = $1 AND idempotency_key = $2")
                        .execute(Tuple.of(tenant, key)))
                .chain(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return once(tenant, key, operation, request, action, settle);
                    }
                    Row row = rows.iterator().next();
                    if (!row.getString("operation").equals(operation.name())
                            || !fingerprints.matches(row.getString("request_hash"), request)) {
                        return Uni.createFrom().failure(BrokerException.conflict("IDEMPOTENCY_KEY_REUSED",
                                "idempotency_key was already used with a different request"));
                    }
                    String response = row.getString("response");
                    if (response != null) {
                        return Uni.createFrom().item(operation.codec().decode(response));
                    }
                    String unsettled = row.getString("unsettled_version");
                    if (unsettled != null) {
                        return settle(tenant, key, operation, unsettled, action, settle);
                    }
                    return takeOverIfStale(tenant, key, row.getOffsetDateTime("created_at"))
                            .chain(tookOver -> tookOver ? run(tenant, key, operation, action) : inProgress());
                });
    }

    /** A retry of a request whose write may have taken effect: its answer, once the store can tell. */
    private <T> Uni<T> settle(String tenant, String key, Operation<T> operation, String version,
            Function<Attempt, Uni<T>> action, Function<String, Uni<T>> settle) {
        return settle.apply(version).chain(answer -> {
            if (answer != null) {
                Outcome outcome = operation.outcome().apply(answer);
                return outcome == Outcome.KEEP
                        ? complete(tenant, key, operation.codec().encode(answer)).replaceWith(answer)
                        : Uni.createFrom().item(answer);
            }
            return bounded(pool.preparedQuery("UPDATE idempotency_record SET unsettled_version = NULL, created_at = now()"
                            + " WHERE tenant_id = $1 AND idempotency_key = $2 AND unsettled_version = $3")
                    .execute(Tuple.of(tenant, key, version)))
                    .chain(rows -> rows.rowCount() == 1 ? run(tenant, key, operation, action) : inProgress());
        });
    }

    private static <T> Uni<T> inProgress() {
        return Uni.createFrom().failure(BrokerException.inProgress("IDEMPOTENT_REQUEST_IN_PROGRESS",
                "a request with this idempotency_key is still in progress; retry later"));
    }

    /** Inserts the key as in progress, replacing an expired record. True when this request owns it. */
    private Uni<Boolean> claim(String tenant, String key, String operation, String fingerprint) {
        return bounded(pool.preparedQuery("INSERT INTO idempotency_record (tenant_id, idempotency_key, operation, request_hash)"
                        + " VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, idempotency_key) DO UPDATE"
                        + " SET operation = EXCLUDED.operation, request_hash = EXCLUDED.request_hash,"
                        + "     response = NULL, unsettled_version = NULL, created_at = now()"
                        + " WHERE idempotency_record.created_at < now() - make_interval(secs => $5)"
                        + " RETURNING 1")
                .execute(Tuple.of(tenant, key, operation, fingerprint, (double) ttl.toSeconds())))
                .map(rows -> rows.rowCount() == 1);
    }

    private Uni<Boolean> takeOverIfStale(String tenant, String key, OffsetDateTime createdAt) {
        if (createdAt.isAfter(OffsetDateTime.now().minus(STALE_IN_PROGRESS))) {
            return Uni.createFrom().item(false);
        }
        return bounded(pool.preparedQuery("UPDATE idempotency_record SET created_at = now()"
                        + " WHERE tenant_id = $1 AND idempotency_key = $2 AND response IS NULL AND created_at = $3")
                .execute(Tuple.of(tenant, key, createdAt)))
                .map(rows -> rows.rowCount() == 1);
    }

    private Uni<Void> complete(String tenant, String key, String response) {
        return bounded(pool.preparedQuery("UPDATE idempotency_record SET response = CAST($3::text AS jsonb)"
                        + " WHERE tenant_id = $1 AND idempotency_key = $2")
                .execute(Tuple.of(tenant, key, response)))
                .replaceWithVoid();
    }

    /** Keeps the key with the version written; the database being unreachable leaves it in progress, as safe. */
    private Uni<Void> unsettled(String tenant, String key, String version) {
        LOG.info("An idempotent request's write is unsettled; its key is kept for a retry to settle");
        return bounded(pool.preparedQuery("UPDATE idempotency_record SET unsettled_version = $3"
                        + " WHERE tenant_id = $1 AND idempotency_key = $2 AND response IS NULL")
                .execute(Tuple.of(tenant, key, version)))
                .replaceWithVoid()
                .onFailure().recoverWithNull();
    }

    private Uni<Void> release(String tenant, String key) {
        return bounded(pool.preparedQuery("DELETE FROM idempotency_record WHERE tenant_id = $1 AND idempotency_key = $2"
                        + " AND response IS NULL")
                .execute(Tuple.of(tenant, key)))
                .replaceWithVoid()
                .onFailure().recoverWithNull();
    }

    /** UNAVAILABLE when Postgres does not answer within {@code rcm.database-timeout}, like every request-path query. */
    private <T> Uni<T> bounded(Uni<T> query) {
        return VertxContexts.database(query, timeout);
    }

    /** Deletes expired records every hour. */
    void scheduleCleanup(@Observes StartupEvent event) {
        vertx.setPeriodic(Duration.ofHours(1).toMillis(), id -> pool
                .preparedQuery("DELETE FROM idempotency_record WHERE created_at < now() - make_interval(secs => $1)")
                .execute(Tuple.of((double) ttl.toSeconds()))
                .subscribe().with(
                        rows -> LOG.debugf("Removed %d expired idempotency records", rows.rowCount()),
                        failure -> LOG.warnf("Idempotency cleanup failed: %s", failure.getClass().getSimpleName())));
    }

    /** Reads a kept answer's JSON. */
    public static JsonNode readJson(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable idempotency record", e);
        }
    }

    /** Builds a codec from two functions. */
    public static <T> Codec<T> codec(Function<T, String> encode, Function<String, T> decode) {
        return new Codec<>() {
            @Override
            public String encode(T answer) {
                return encode.apply(answer);
            }

            @Override
            public T decode(String json) {
                return decode.apply(json);
            }
        };
    }
}
