package org.rcm.credentials.cache;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while cache invalidations reach this replica: a replica that cannot hear them
 * could serve a credential another replica has rotated or deleted.
 */
@Readiness
@ApplicationScoped
public class CacheInvalidationHealthCheck implements HealthCheck {

    private final CacheInvalidationBus bus;

    public CacheInvalidationHealthCheck(CacheInvalidationBus bus) {
        this.bus = bus;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("cache-invalidation").status(bus.listening()).build();
    }
}
