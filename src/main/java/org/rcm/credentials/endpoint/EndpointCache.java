package org.rcm.credentials.endpoint;

import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.cache.CaffeineCache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Supplier;
import org.rcm.credentials.cache.CacheInvalidationBus;
import org.rcm.credentials.cache.CacheKeys;
import org.rcm.credentials.cache.CachedValues;
import org.rcm.credentials.cache.KeyIndex;
import org.rcm.credentials.error.BrokerException;

/**
 * Endpoint rows by tenant and portal ({@code endpoints}, Quarkus cache), so that a cached
 * GetCredentials reads nothing from Postgres. Writers send a {@link #notice} inside the
 * transaction of their change, which reaches every replica through the
 * {@link CacheInvalidationBus}, and {@link #dropHere} once it committed. Absent portals are
 * not cached.
 *
 * <p>While this replica's LISTEN is not confirmed it may miss notices, so the cache is
 * bypassed: every read goes to Postgres until the listener is back (and has dropped
 * everything). Only when Postgres cannot be reached either is the cached row used: then no
 * change can be recorded through this replica's database connection, and the call still
 * needs its audit row (fail-closed) before it answers. The secret caches need no such care:
 * their keys carry the endpoint's version counter, so a fresh endpoint row never finds a
 * value it has replaced.
 */
@ApplicationScoped
public class EndpointCache {

    private final Cache endpoints;
    private final CaffeineCache loaded;
    private final CacheInvalidationBus bus;
    private final KeyIndex index;

    public EndpointCache(@CacheName("endpoints") Cache endpoints, CacheInvalidationBus bus) {
        this.endpoints = endpoints;
        this.loaded = endpoints.as(CaffeineCache.class);
        this.bus = bus;
        this.index = new KeyIndex(key -> loaded.getIfPresent(key) != null);
        bus.subscribe(this::invalidateHash, this::invalidateAll);
    }

    /** The tenant's portal; {@code loader} fails (and nothing is cached) when it does not exist. */
    public Uni<Endpoint> get(String tenant, String portal, Supplier<Uni<Endpoint>> loader) {
        String key = CacheKeys.endpoint(tenant, portal);
        if (!bus.listening()) {
            Endpoint cached = CachedValues.ifLoaded(loaded, key);
            return cached == null ? loader.get()
                    : loader.get().onFailure(EndpointCache::databaseUnreachable).recoverWithItem(cached);
        }
        Endpoint hit = CachedValues.ifLoaded(loaded, key);
        return hit != null ? Uni.createFrom().item(hit) : endpoints.getAsync(key, k -> load(k, loader));
    }

    /** The loader failed for want of a database (not because the portal is gone). */
    private static boolean databaseUnreachable(Throwable failure) {
        return !(failure instanceof BrokerException e) || e.kind() == BrokerException.Kind.UNAVAILABLE;
    }

    /** Runs inside the cache's insertion of {@code key}, which the index learns first. */
    private Uni<Endpoint> load(String key, Supplier<Uni<Endpoint>> loader) {
        index.add(key);
        return loader.get();
    }

    /** The tenant's portal if it is in memory already (and invalidations reach this replica), else null. */
    public Endpoint cached(String tenant, String portal) {
        return bus.listening() ? CachedValues.ifLoaded(loaded, CacheKeys.endpoint(tenant, portal)) : null;
    }

    /** What a change of the portal sends inside its transaction, so that every replica drops its row. */
    public CacheInvalidationBus.Notice notice(String tenant, String portal) {
        return CacheInvalidationBus.notice(CacheKeys.endpoint(tenant, portal));
    }

    /** Drops the portal's row here at once, after a change committed (its notice follows). */
    public void dropHere(String tenant, String portal) {
        CachedValues.run(endpoints.invalidate(CacheKeys.endpoint(tenant, portal)));
    }

    /** An invalidation message: drops the entries of the keys with this hash (normally one). */
    private void invalidateHash(String hash) {
        for (String key : index.take(hash)) {
            CachedValues.run(endpoints.invalidate(key));
        }
    }

    private void invalidateAll() {
        index.clear();
        CachedValues.run(endpoints.invalidateAll());
    }
}
