package org.rcm.credentials.cache;

import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.cache.CaffeineCache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.rcm.credentials.metrics.BrokerMetrics;
import org.rcm.credentials.secretstore.SecretArn;
import org.rcm.credentials.secretstore.SecretStoreException;
import org.rcm.credentials.secretstore.SecretValue;

/**
 * Secret values in front of the secret store, keyed by ARN and version.
 *
 * <ul>
 *   <li>{@code secret-values} (Quarkus cache, Caffeine): fresh values, expire-after-write TTL.
 *       Concurrent misses for one key share one load, so a herd causes one AWS call.
 *   <li>{@code secret-fallbacks}: the last value loaded per key, kept for the stale-if-error
 *       window. Served only when the store is throttled or unavailable; dropped when the store
 *       says the secret is gone or access is denied, and on Store, Rotate and Delete.
 * </ul>
 * Invalidations reach every replica through the {@link CacheInvalidationBus}.
 */
@ApplicationScoped
public class SecretCache {

    /** A value and whether it came from the stale-if-error fallback. */
    public record Lookup(SecretValue value, boolean stale) {
    }

    private final Cache values;
    private final CaffeineCache fresh;
    private final CaffeineCache fallbacks;
    private final CacheInvalidationBus bus;
    private final BrokerMetrics metrics;
    /** The keys of both caches. */
    private final KeyIndex index;

    public SecretCache(@CacheName("secret-values") Cache values, @CacheName("secret-fallbacks") Cache fallbacks,
            CacheInvalidationBus bus, BrokerMetrics metrics) {
        this.values = values;
        this.fresh = values.as(CaffeineCache.class);
        this.fallbacks = fallbacks.as(CaffeineCache.class);
        this.bus = bus;
        this.metrics = metrics;
        this.index = new KeyIndex(key -> fresh.getIfPresent(key) != null || this.fallbacks.getIfPresent(key) != null);
        bus.subscribe(this::invalidateHash, this::invalidateAll);
    }

    /**
     * The value of one version of a secret: cached, or loaded once for all concurrent callers.
     * When the load fails because the store is throttled or unavailable, a value loaded within
     * the stale-if-error window is returned instead, marked stale.
     */
    public Uni<Lookup> get(SecretArn arn, String versionId, Supplier<Uni<SecretValue>> loader) {
        SecretValue hit = cached(arn, versionId);
        if (hit != null) {
            return Uni.createFrom().item(new Lookup(hit, false));
        }
        String key = CacheKeys.secret(arn.value(), versionId);
        boolean[] loaded = {false};
        return values.<String, SecretValue>getAsync(key, k -> {
                    loaded[0] = true;
                    index.add(key);
                    return loader.get().invoke(value -> remember(key, value));
                })
                .invoke(() -> metrics.cacheLookup(loaded[0] ? "miss" : "hit"))
                .map(value -> new Lookup(value, false))
                .onFailure(SecretStoreException.class).recoverWithUni(failure -> fallBack(key, (SecretStoreException) failure));
    }

    /** The fresh value of a version if it is in memory already (a hit), else null. */
    public SecretValue cached(SecretArn arn, String versionId) {
        SecretValue hit = CachedValues.ifLoaded(fresh, CacheKeys.secret(arn.value(), versionId));
        if (hit != null) {
            metrics.cacheLookup("hit");
        }
        return hit;
    }

    /** Drops a version's value here and on every replica. */
    public Uni<Void> invalidate(SecretArn arn, String versionId) {
        String key = CacheKeys.secret(arn.value(), versionId);
        drop(key);
        return bus.publish(key);
    }

    private Uni<Lookup> fallBack(String key, SecretStoreException failure) {
        if (!failure.isTransient()) {
            return fallbacks.invalidate(key).chain(() -> Uni.createFrom().failure(failure));
        }
        CompletableFuture<SecretValue> stale = fallbacks.getIfPresent(key);
        if (stale == null) {
            return Uni.createFrom().failure(failure);
        }
        metrics.cacheLookup("stale");
        return Uni.createFrom().completionStage(stale).map(value -> new Lookup(value, true));
    }

    private void remember(String key, SecretValue value) {
        index.add(key);
        fallbacks.put(key, CompletableFuture.completedFuture(value));
    }

    /** An invalidation message: drops the entries of the keys with this hash (normally one) from both caches. */
    private void invalidateHash(String hash) {
        for (String key : index.take(hash)) {
            drop(key);
        }
    }

    private void invalidateAll() {
        index.clear();
        CachedValues.run(fallbacks.invalidateAll());
        CachedValues.run(values.invalidateAll());
    }

    /**
     * Fallback first: whoever sees the fresh value gone (a reader on another thread) can no
     * longer find the invalidated value as a fallback either.
     */
    private void drop(String key) {
        CachedValues.run(fallbacks.invalidate(key));
        CachedValues.run(values.invalidate(key));
    }
}
