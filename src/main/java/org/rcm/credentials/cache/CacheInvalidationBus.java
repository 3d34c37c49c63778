package org.rcm.credentials.cache;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.SslMode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.reactive.VertxContexts;

/**
 * Tells every replica to drop a cache entry, through Postgres {@code LISTEN/NOTIFY} on the
 * reactive client. The payload is the key's hash ({@link CacheKeys#hash}), never a name or
 * an ARN; each replica drops the entries whose keys hash to it, found through its caches'
 * {@link KeyIndex} (no scan of the caches). A replica that loses its
 * listening connection drops its whole cache when it reconnects, since it may have missed
 * notifications meanwhile; until then it is not ready ({@link #listening()}).
 */
@ApplicationScoped
public class CacheInvalidationBus {

    static final String CHANNEL = "rcm_cache_invalidation";
    private static final long RETRY_MILLIS = 1_000;
    private static final Logger LOG = Logger.getLogger(CacheInvalidationBus.class);

    private final Pool pool;
    private final Vertx vertx;
    private final Duration timeout;
    private final PgConnectOptions connectOptions;
    private final List<Consumer<String>> hashListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> resetListeners = new CopyOnWriteArrayList<>();
    private volatile PgSubscriber subscriber;
    /** The connection on which LISTEN last succeeded (and the caches were dropped); null before. */
    private volatile PgConnection listeningOn;

    public CacheInvalidationBus(Pool pool, Vertx vertx, BrokerConfig config,
            @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") String user,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password,
            @ConfigProperty(name = "quarkus.datasource.reactive.postgresql.ssl-mode") Optional<String> sslMode,
            @ConfigProperty(name = "quarkus.datasource.reactive.trust-certificate-pem.certs") Optional<List<String>> caCertificates,
            @ConfigProperty(name = "quarkus.datasource.reactive.hostname-verification-algorithm") Optional<String> hostnameVerification) {
        this.pool = pool;
        this.vertx = vertx;
        this.timeout = config.databaseTimeout();
        this.connectOptions = PgConnectOptions.fromUri(url).setUser(user).setPassword(password.orElse(""));
        connectOptions.setMetricsName("rcm-cache-invalidation");
        // the same TLS as the pool's (the datasource's settings do not reach a connection of our own)
        sslMode.ifPresent(mode -> connectOptions.setSslMode(SslMode.of(mode)));
        caCertificates.filter(certs -> !certs.isEmpty())
                .ifPresent(certs -> {
                    PemTrustOptions trust = new PemTrustOptions();
                    certs.forEach(trust::addCertPath);
                    connectOptions.setPemTrustOptions(trust);
                });
        hostnameVerification.ifPresent(connectOptions::setHostnameVerificationAlgorithm);
    }

    /**
     * Calls {@code onHash} with the hash of every key invalidated anywhere (this replica
     * included), and {@code onReset} when everything must go.
     */
    public void subscribe(Consumer<String> onHash, Runnable onReset) {
        hashListeners.add(onHash);
        resetListeners.add(onReset);
    }

    /**
     * What tells every replica to drop a key: {@code SELECT pg_notify(channel, payload)}, sent
     * inside the transaction of the change it announces, so that it is delivered exactly when
     * the change commits and cannot be lost between the two.
     */
    public record Notice(String channel, String payload) {
    }

    /** The notice for {@code key}: a cache key, or any other topic that replicas listen for. */
    public static Notice notice(String key) {
        return new Notice(CHANNEL, CacheKeys.hash(key));
    }

    /**
     * Tells the other replicas to drop {@code key}; the caller has dropped it here already.
     * Never fails, and waits at most {@code rcm.database-timeout}: it follows a change that has
     * committed, whose caller must get its answer.
     */
    public Uni<Void> publish(String key) {
        Uni<Void> notify = pool.preparedQuery("SELECT pg_notify($1, $2)")
                .execute(Tuple.of(CHANNEL, CacheKeys.hash(key)))
                .replaceWithVoid();
        return VertxContexts.within(notify, timeout, () -> new TimeoutException("no answer in " + timeout))
                .onFailure().invoke(e -> LOG.warnf("Cache invalidation not sent to other replicas: %s",
                        e.getClass().getSimpleName()))
                .onFailure().recoverWithNull();
    }

    void start(@Observes StartupEvent event) {
        subscriber = PgSubscriber.subscriber(vertx, connectOptions)
                .reconnectPolicy(retries -> Math.min(5_000L, 100L * (retries + 1)));
        subscriber.channel(CHANNEL)
                .exceptionHandler(e -> LOG.debugf("Cache invalidation listener: %s", e.getClass().getSimpleName()))
                .handler(hash -> hashListeners.forEach(listener -> listener.accept(hash)))
                .subscribeHandler(() -> {
                    resetListeners.forEach(Runnable::run);
                    listeningOn = subscriber.getDelegate().actualConnection();
                });
        connect();
    }

    private void connect() {
        subscriber.connect().subscribe().with(
                ignored -> LOG.debug("Listening for cache invalidations"),
                failure -> {
                    LOG.warnf("Cache invalidation listener not connected, retrying: %s", failure.getClass().getSimpleName());
                    vertx.setTimer(RETRY_MILLIS, id -> connect());
                });
    }

    /**
     * Whether invalidations reach this replica now: its LISTEN succeeded on the connection it
     * has, and the caches filled before that were dropped.
     */
    public boolean listening() {
        PgSubscriber current = subscriber;
        PgConnection connection = listeningOn;
        return current != null && connection != null && current.getDelegate().actualConnection() == connection;
    }

    void stop(@Observes ShutdownEvent event) {
        if (subscriber != null) {
            subscriber.closeAndForget();
        }
    }
}
