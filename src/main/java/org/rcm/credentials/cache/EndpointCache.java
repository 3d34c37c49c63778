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

    public EndpointCache(@CacheName("endpoints") Cache endpoints, CacheInvalidationBus bus) {
        this.endpoints = endpoints;
        this.loaded = endpoints.as(CaffeineCache.class);
        this.bus = bus;
        bus.subscribe(hash -> CachedValues.run(endpoints.invalidateIf(key -> CacheKeys.hash(key).equals(hash))),
                () -> CachedValues.run(endpoints.invalidateAll()));
    }

    /** The tenant's portal; {@code loader} fails (and nothing is cached) when it does not exist. */
    public Uni<Endpoint> get(String tenant, String portal, Supplier<Uni<Endpoint>> loader) {
        String key = CacheKeys.endpoint(tenant, portal);
        Endpoint hit = CachedValues.ifLoaded(loaded, key);
        return hit != null ? Uni.createFrom().item(hit) : endpoints.getAsync(key, k -> loader.get());
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
}
