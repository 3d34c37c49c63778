package org.rcm.credentials.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.rcm.credentials.support.Broker.credentials;
import static org.rcm.credentials.support.Broker.get;
import static org.rcm.credentials.support.Broker.newPortal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.cache.CaffeineCache;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.DeleteCredentialsRequest;
import org.rcm.credentials.api.v1.GetCredentialsResponse;
import org.rcm.credentials.api.v1.RotateCredentialsRequest;
import org.rcm.credentials.local.aws.LocalAwsControl;
import org.rcm.credentials.support.Await;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Db;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestIdentity;
import software.amazon.awssdk.services.ssm.SsmAsyncClient;

/**
 * The secret cache: one AWS call per herd of concurrent misses; stale values served through a
 * store outage for a bounded time, and never after not-found, access-denied, Rotate or Delete.
 */
@QuarkusTest
class SecretCacheTest {

    private static final TestIdentity ADMIN = TestIdentity.TENANT_A_ADMIN;
    private static final TestIdentity WORKER = TestIdentity.TENANT_A_WORKER;
    private static final String GET_PARAMETER = "AmazonSSM.GetParameter";

    private final LocalAwsControl aws = new LocalAwsControl(TestEnvironment.awsUri());

    @Inject
    @CacheName("secret-values")
    Cache values;

    @Inject
    @CacheName("secret-fallbacks")
    Cache fallbacks;

    @Inject
    SsmAsyncClient ssm;

    @AfterEach
    void reset() {
        aws.resetFaults();
        fallbacks.as(CaffeineCache.class).setExpireAfterWrite(Duration.ofMinutes(15));
    }

    @Test
    void aHerdOfConcurrentMissesCausesOneAwsCall() throws Exception {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "herd-pw");
        aws.latency(GET_PARAMETER, Duration.ofMillis(300));
        aws.resetCalls();

        ExecutorService pool = Executors.newFixedThreadPool(100);
        try {
            List<CompletableFuture<GetCredentialsResponse>> herd = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                herd.add(CompletableFuture.supplyAsync(() -> get(WORKER, portal), pool));
            }
            for (CompletableFuture<GetCredentialsResponse> call : herd) {
                assertEquals("herd-pw", call.get(30, TimeUnit.SECONDS).getCredentials().getPassword());
            }
        } finally {
            pool.shutdownNow();
        }

        assertEquals(1, aws.calls(GET_PARAMETER));
    }

    @Test
    void warmReadsCauseNoAwsCall() {
        String portal = warmPortal();
        aws.resetCalls();

        for (int i = 0; i < 10; i++) {
            get(WORKER, portal);
        }

        assertEquals(0, aws.calls(GET_PARAMETER));
    }

    @Test
    void expiredValueIsServedWhileTheStoreIsThrottled() {
        String portal = warmPortal();
        expireFreshValues();
        aws.throttleNext(GET_PARAMETER, 10);

        assertEquals("pw", get(WORKER, portal).getCredentials().getPassword());
    }

    @Test
    void expiredValueIsNotServedAfterTheStaleWindow() throws Exception {
        String portal = warmPortal();
        CaffeineCache fallback = fallbacks.as(CaffeineCache.class);
        fallback.setExpireAfterWrite(Duration.ofMillis(1));
        expireFreshValues();
        Await.until(Duration.ofSeconds(10), () -> fallback.keySet().isEmpty());
        aws.failNext(GET_PARAMETER, 10);

        assertUnavailable(portal);
    }

    @Test
    void staleValueIsNeverServedAfterTheStoreSaidNotFound() {
        String portal = warmPortal();
        expireFreshValues();
        String name = "/rcm/" + TestEnvironment.ENVIRONMENT + "/tenant-a/" + portal;
        Uni.createFrom().completionStage(ssm.deleteParameter(r -> r.name(name)))
                .await().atMost(Duration.ofSeconds(10));
        assertEquals(Status.Code.NOT_FOUND, assertThrows(StatusRuntimeException.class, () -> get(WORKER, portal))
                .getStatus().getCode());
        aws.failNext(GET_PARAMETER, 10);

        assertUnavailable(portal);
    }

    @Test
    void staleValueIsNeverServedAfterTheStoreDeniedAccess() {
        String portal = warmPortal();
        expireFreshValues();
        aws.denyNext(GET_PARAMETER, 1);
        assertUnavailable(portal, "the secret store refused the service's access");
        aws.failNext(GET_PARAMETER, 10);

        assertUnavailable(portal, "the secret store is unavailable; retry with backoff");

        aws.resetFaults();
        assertEquals("pw", get(WORKER, portal).getCredentials().getPassword());
    }

    @Test
    void staleValueIsNeverServedAfterARotation() {
        String portal = warmPortal();
        String arn = secretArn(portal);
        credentials(ADMIN).rotateCredentials(RotateCredentialsRequest.newBuilder().setPortalId(portal).build());
        assertNothingCachedFor(arn);
        aws.failNext(GET_PARAMETER, 10);

        assertUnavailable(portal);
    }

    @Test
    void staleValueIsNeverServedAfterADelete() {
        String portal = warmPortal();
        String arn = secretArn(portal);
        credentials(ADMIN).deleteCredentials(DeleteCredentialsRequest.newBuilder().setPortalId(portal).build());
        assertNothingCachedFor(arn);
        aws.failNext(GET_PARAMETER, 10);

        assertEquals(Status.Code.NOT_FOUND, assertThrows(StatusRuntimeException.class, () -> get(WORKER, portal))
                .getStatus().getCode());
    }

    private static String secretArn(String portal) {
        return (String) Db.endpoint("tenant-a", portal).get("secret_arn");
    }

    /** Neither the fresh nor the stale-if-error cache holds any version of the secret. */
    private void assertNothingCachedFor(String arn) {
        assertThat(values.as(CaffeineCache.class).keySet()).noneMatch(key -> key.toString().contains(arn));
        assertThat(fallbacks.as(CaffeineCache.class).keySet()).noneMatch(key -> key.toString().contains(arn));
    }

    /** A portal with credentials ("pw") that a worker has read once, so that they are cached. */
    private static String warmPortal() {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "pw");
        get(WORKER, portal);
        return portal;
    }

    private void expireFreshValues() {
        values.invalidateAll().await().atMost(Duration.ofSeconds(5));
    }

    private static void assertUnavailable(String portal) {
        assertThat(unavailable(portal).getStatus().getDescription()).startsWith("the secret store");
    }

    private static void assertUnavailable(String portal, String description) {
        assertEquals(description, unavailable(portal).getStatus().getDescription());
    }

    private static StatusRuntimeException unavailable(String portal) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> get(WORKER, portal));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        return e;
    }
}
