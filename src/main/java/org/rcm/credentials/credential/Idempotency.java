package org.rcm.credentials.credential;

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
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.reactive.VertxContexts;

/**
 * Idempotency keys for writes. The first request with a key runs and its answer is kept (for
 * {@code rcm.idempotency-ttl}); a retry with the same key and the same request gets that
 * answer without a second write; the same key with another request fails ALREADY_EXISTS; a
 * retry while the first is still running fails ABORTED. Failed requests release their key.
 *
 * <p>Requests are recognised by a {@link RequestFingerprint}, an HMAC under
 * {@code rcm.idempotency.key}; created at start-up, so that a missing or short key fails
 * start-up rather than the first request with an idempotency key.
 */
@Startup
@ApplicationScoped
public class Idempotency {

    private static final Logger LOG = Logger.getLogger(Idempotency.class);
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

    /**
     * Runs {@code action} once per key.
     *
     * @param request the request's canonical bytes; only their keyed fingerprint is stored
     * @param remember which answers are kept for retries; others release the key
     */
    public <T> Uni<T> once(String tenant, String key, String operation, byte[] request, Codec<T> codec,
            Predicate<T> remember, Supplier<Uni<T>> action) {
        if (key.isEmpty()) {
            return action.get();
        }
        return claim(tenant, key, operation, fingerprints.of(request))
                .chain(claimed -> claimed
                        ? run(tenant, key, codec, remember, action)
                        : replay(tenant, key, operation, request, codec, remember, action));
    }

    private <T> Uni<T> run(String tenant, String key, Codec<T> codec, Predicate<T> remember, Supplier<Uni<T>> action) {
        return action.get()
                .call(answer -> remember.test(answer) ? complete(tenant, key, codec.encode(answer)) : release(tenant, key))
                .onFailure().call(() -> release(tenant, key));
    }

    private <T> Uni<T> replay(String tenant, String key, String operation, byte[] request, Codec<T> codec,
            Predicate<T> remember, Supplier<Uni<T>> action) {
        return bounded(pool.preparedQuery("SELECT operation, request_hash, response::text, created_at"
                        + " FROM idempotency_record WHERE tenant_id = $1 AND idempotency_key = $2")
                        .execute(Tuple.of(tenant, key)))
                .chain(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return once(tenant, key, operation, request, codec, remember, action);
                    }
                    Row row = rows.iterator().next();
                    if (!row.getString("operation").equals(operation)
                            || !fingerprints.matches(row.getString("request_hash"), request)) {
                        return Uni.createFrom().failure(BrokerException.conflict("IDEMPOTENCY_KEY_REUSED",
                                "idempotency_key was already used with a different request"));
                    }
                    String response = row.getString("response");
                    if (response != null) {
                        return Uni.createFrom().item(codec.decode(response));
                    }
                    return takeOverIfStale(tenant, key, row.getOffsetDateTime("created_at"))
                            .chain(tookOver -> tookOver
                                    ? run(tenant, key, codec, remember, action)
                                    : Uni.createFrom().failure(BrokerException.inProgress("IDEMPOTENT_REQUEST_IN_PROGRESS",
                                            "a request with this idempotency_key is still in progress; retry later")));
                });
    }

    /** Inserts the key as in progress, replacing an expired record. True when this request owns it. */
    private Uni<Boolean> claim(String tenant, String key, String operation, String fingerprint) {
        return bounded(pool.preparedQuery("INSERT INTO idempotency_record (tenant_id, idempotency_key, operation, request_hash)"
                        + " VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, idempotency_key) DO UPDATE"
                        + " SET operation = EXCLUDED.operation, request_hash = EXCLUDED.request_hash,"
                        + "     response = NULL, created_at = now()"
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

    private Uni<Void> release(String tenant, String key) {
        return bounded(pool.preparedQuery("DELETE FROM idempotency_record WHERE tenant_id = $1 AND idempotency_key = $2"
                        + " AND response IS NULL")
                .execute(Tuple.of(tenant, key)))
                .replaceWithVoid()
                .onFailure().recoverWithNull();
    }

    /** UNAVAILABLE when Postgres does not answer within {@code rcm.database-timeout}, like every request-path query. */
    private <T> Uni<T> bounded(Uni<T> query) {
        return VertxContexts.within(query, timeout, () -> BrokerException.unavailable("DATABASE_UNAVAILABLE",
                "the database did not answer in time; retry", null));
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
