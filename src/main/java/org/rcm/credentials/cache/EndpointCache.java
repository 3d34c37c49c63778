package org.rcm.credentials.cache;

import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.cache.CaffeineCache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Supplier;
import org.rcm.credentials.endpoint.Endpoint;

/**
 * Endpoint rows by tenant and portal ({@code endpoints}, Quarkus cache), so that a cached
 * GetCredentials reads nothing from Postgres. Writers invalidate through the
 * {@link CacheInvalidationBus}, which reaches every replica. Absent portals are not cached.
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
        Endpoint hit = CachedValues.ifLoaded(loaded, key);
        return hit != null ? Uni.createFrom().item(hit) : endpoints.getAsync(key, k -> load(k, loader));
    }

    /** Runs inside the cache's insertion of {@code key}, which the index learns first. */
    private Uni<Endpoint> load(String key, Supplier<Uni<Endpoint>> loader) {
        index.add(key);
        return loader.get();
    }

    /** The tenant's portal if it is in memory already, else null. */
    public Endpoint cached(String tenant, String portal) {
        return CachedValues.ifLoaded(loaded, CacheKeys.endpoint(tenant, portal));
    }

    /** Drops the portal's row here and on every replica. */
    public Uni<Void> invalidate(String tenant, String portal) {
        String key = CacheKeys.endpoint(tenant, portal);
        CachedValues.run(endpoints.invalidate(key));
        return bus.publish(key);
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
