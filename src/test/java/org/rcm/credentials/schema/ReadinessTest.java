package org.rcm.credentials.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rcm.credentials.support.Management.get;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.endpoint.Endpoint;
import org.rcm.credentials.endpoint.EndpointCache;
import org.rcm.credentials.endpoint.LegacyState;
import org.rcm.credentials.support.Await;
import org.rcm.credentials.support.Management;
import org.rcm.credentials.support.TestEnvironment;

/** Readiness on the management port follows the database and the cache invalidation listener. */
@QuarkusTest
class ReadinessTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    EndpointCache endpoints;

    /** Cuts end with a reconnect of the invalidation listener, which drops every cache: not in a later test. */
    @AfterEach
    void awaitReady() throws Exception {
        Management.awaitReady();
    }

    @Test
    void readyIsUpWithTheDatabaseAndDownWithoutIt() throws Exception {
        Await.until(WAIT, () -> ready() == 200);

        TestEnvironment.databaseProxy().cut();
        try {
            Await.until(WAIT, () -> ready() == 503);
        } finally {
            TestEnvironment.databaseProxy().restore();
        }

        Await.until(WAIT, () -> ready() == 200);
    }

    @Test
    void notReadyWhileCacheInvalidationsCannotArriveNorBeforeTheCachesAreDropped() throws Exception {
        Await.until(WAIT, () -> "UP".equals(invalidationCheck()));
        String portal = "readiness-" + UUID.randomUUID();
        Endpoint endpoint = new Endpoint(1, "tenant-a", portal, null, false, 0, null, null, null, null, null, Optional.empty(),
                LegacyState.NONE, null, 0, false);
        endpoints.get("tenant-a", portal, () -> Uni.createFrom().item(endpoint)).await().atMost(WAIT);

        TestEnvironment.databaseProxy().cut();
        try {
            Await.until(WAIT, () -> "DOWN".equals(invalidationCheck()));
        } finally {
            TestEnvironment.databaseProxy().restore();
        }

        Await.until(WAIT, () -> "UP".equals(invalidationCheck()));
        // it may have missed invalidations while away
        assertThat(endpoints.cached("tenant-a", portal)).isNull();
    }

    @Test
    void livenessAndMetricsAreServedOnTheManagementPort() throws Exception {
        assertThat(get("/q/health/live").statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = get("/q/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("jvm_memory_used_bytes");
    }

    private static int ready() throws Exception {
        return get("/q/health/ready").statusCode();
    }

    /** The status of the readiness check named cache-invalidation. */
    private static String invalidationCheck() throws Exception {
        JsonArray checks = new JsonObject(get("/q/health/ready").body()).getJsonArray("checks");
        for (int i = 0; i < checks.size(); i++) {
            JsonObject check = checks.getJsonObject(i);
            if ("cache-invalidation".equals(check.getString("name"))) {
                return check.getString("status");
            }
        }
        throw new AssertionError("no cache-invalidation check in " + checks);
    }
}
