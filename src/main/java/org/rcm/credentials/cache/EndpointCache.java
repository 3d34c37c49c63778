package org.rcm.credentials.cache;

import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
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
    private final CacheInvalidationBus bus;

    public EndpointCache(@CacheName("endpoints") Cache endpoints, CacheInvalidationBus bus) {
        this.endpoints = endpoints;
        this.bus = bus;
        bus.subscribe(this::invalidateLocally, () -> SecretCache.run(endpoints.invalidateAll()));
    }

    /** The tenant's portal; {@code loader} fails (and nothing is cached) when it does not exist. */
    public Uni<Endpoint> get(String tenant, String portal, Supplier<Uni<Endpoint>> loader) {
        return endpoints.getAsync(CacheKeys.endpoint(tenant, portal), key -> loader.get());
    }

    /** Drops the portal's row here and on every replica. */
    public Uni<Void> invalidate(String tenant, String portal) {
        return bus.publish(CacheKeys.endpoint(tenant, portal));
    }

    private void invalidateLocally(String key) {
        if (CacheKeys.isEndpoint(key)) {
            SecretCache.run(endpoints.invalidate(key));
        }
    }
}
