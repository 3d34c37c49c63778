package org.rcm.credentials.cache;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.cache.CaffeineCache;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.endpoint.Endpoint;
import org.rcm.credentials.endpoint.EndpointCache;
import org.rcm.credentials.endpoint.LegacyState;
import org.rcm.credentials.secretstore.SecretArn;
import org.rcm.credentials.secretstore.SecretBackend;
import org.rcm.credentials.secretstore.SecretValue;
import org.rcm.credentials.support.Await;

/**
 * An invalidation message, sent through Postgres NOTIFY and received by this replica's
 * listener, drops exactly the entries whose key has its hash; the others stay cached.
 */
@QuarkusTest
class CacheInvalidationTest {

    private static final String TENANT = "tenant-a";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    EndpointCache endpoints;

    @Inject
    SecretCache secrets;

    @Inject
    CacheInvalidationBus bus;

    @Inject
    @CacheName("secret-fallbacks")
    Cache fallbacks;

    @Test
    void endpointMessageDropsOnlyThatEndpoint() throws Exception {
        String dropped = portal();
        String kept = portal();
        loadEndpoint(dropped);
        loadEndpoint(kept);

        bus.publish(CacheKeys.endpoint(TENANT, dropped)).await().atMost(WAIT);

        Await.until(WAIT, () -> endpoints.cached(TENANT, dropped) == null);
        assertNotNull(endpoints.cached(TENANT, kept));
    }

    @Test
    void secretMessageDropsOnlyThatVersionFromBothCaches() throws Exception {
        SecretArn arn = new SecretArn("aws", SecretBackend.SSM_PARAMETER_STORE, "us-east-1", "000000000000", "dev",
                TENANT, portal(), null);
        String otherPortal = portal();
        loadEndpoint(otherPortal);
        loadSecret(arn, "1");
        loadSecret(arn, "2");

        bus.publish(CacheKeys.secret(arn.value(), "1")).await().atMost(WAIT);

        Await.until(WAIT, () -> secrets.cached(arn, "1") == null);
        assertNull(fallback(arn, "1"));
        assertNotNull(secrets.cached(arn, "2"));
        assertNotNull(fallback(arn, "2"));
        assertNotNull(endpoints.cached(TENANT, otherPortal));
    }

    private void loadEndpoint(String portal) {
        Endpoint endpoint = new Endpoint(1, TENANT, portal, null, false, 0, null, null, null, null, null, Optional.empty(),
                LegacyState.NONE, null, 0, false);
        endpoints.get(TENANT, portal, () -> Uni.createFrom().item(endpoint)).await().atMost(WAIT);
        assertNotNull(endpoints.cached(TENANT, portal));
    }

    private void loadSecret(SecretArn arn, String version) {
        SecretValue value = new SecretValue("user", "pw-" + version, null, Map.of());
        secrets.get(arn, version, () -> Uni.createFrom().item(value)).await().atMost(WAIT);
        assertNotNull(secrets.cached(arn, version));
    }

    private Object fallback(SecretArn arn, String version) {
        return fallbacks.as(CaffeineCache.class).getIfPresent(CacheKeys.secret(arn.value(), version));
    }

    private static String portal() {
        return "cache-" + UUID.randomUUID();
    }
}
