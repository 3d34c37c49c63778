package org.rcm.credentials.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rcm.credentials.support.Broker.credentials;
import static org.rcm.credentials.support.Broker.credentialsWith;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.CredentialSource;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.api.v1.GetCredentialsResponse;
import org.rcm.credentials.api.v1.RotateCredentialsRequest;
import org.rcm.credentials.api.v1.RotateCredentialsResponse;
import org.rcm.credentials.local.aws.LocalAwsControl;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Metrics;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestIdentity;

/**
 * The counters that alerts watch move exactly when their events happen:
 * {@code rcm.cache.lookups{result=stale}} when an expired value is served during an outage,
 * {@code rcm.legacy.fallback} when legacy config credentials are served, and
 * {@code rcm.rotation{outcome=failed|success}} when a rotation ends. Tests in one JVM run one
 * at a time, so each delta is this test's own.
 */
@QuarkusTest
class LifecycleCountersTest {

    private static final TestIdentity ADMIN = TestIdentity.TENANT_A_ADMIN;
    private static final TestIdentity WORKER = TestIdentity.TENANT_A_WORKER;
    private static final String GET_PARAMETER = "AmazonSSM.GetParameter";
    private static final String LEGACY = """
            {"credentials": {"username": "legacy_user", "password": "legacy_pw"}}""";

    private final LocalAwsControl aws = new LocalAwsControl(TestEnvironment.awsUri());

    @Inject
    MeterRegistry registry;

    @Inject
    @CacheName("secret-values")
    Cache values;

    @AfterEach
    void resetFaults() {
        aws.resetFaults();
    }

    @Test
    void staleLookupsAreCountedOnlyWhenAStaleValueIsServed() {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "pw");
        double stale = count("rcm.cache.lookups", "result", "stale");
        double misses = count("rcm.cache.lookups", "result", "miss");

        assertEquals("pw", get(portal).getCredentials().getPassword());
        assertEquals(stale, count("rcm.cache.lookups", "result", "stale"));
        assertEquals(misses + 1, count("rcm.cache.lookups", "result", "miss"));

        values.invalidateAll().await().atMost(Duration.ofSeconds(5));
        aws.throttleNext(GET_PARAMETER, 10);
        assertEquals("pw", get(portal).getCredentials().getPassword());

        assertEquals(stale + 1, count("rcm.cache.lookups", "result", "stale"));
    }

    @Test
    void servingLegacyCredentialsIsCounted() {
        String portal = newPortal();
        Broker.register(ADMIN, portal, LEGACY);
        double before = count("rcm.legacy.fallback", "case", "not_migrated");

        GetCredentialsResponse read = get(portal);

        assertEquals(CredentialSource.CREDENTIAL_SOURCE_LEGACY_CONFIG, read.getSource());
        assertEquals(before + 1, count("rcm.legacy.fallback", "case", "not_migrated"));
    }

    @Test
    void readsFromTheSecretStoreAreNotCountedAsLegacy() {
        String portal = newPortal();
        Broker.register(ADMIN, portal, LEGACY);
        Broker.registerAndStore(ADMIN, portal, "store_pw");
        double before = count("rcm.legacy.fallback");

        GetCredentialsResponse read = get(portal);

        assertEquals(CredentialSource.CREDENTIAL_SOURCE_SECRET_STORE, read.getSource());
        assertEquals(before, count("rcm.legacy.fallback"));
    }

    @Test
    void failedRotationIsCountedAsFailed() {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "old");
        double failed = count("rcm.rotation", "outcome", "failed");
        double succeeded = count("rcm.rotation", "outcome", "success");
        aws.failNext("AmazonSSM.PutParameter", 10);

        assertFalse(rotate(portal).getSuccess());

        assertEquals(failed + 1, count("rcm.rotation", "outcome", "failed"));
        assertEquals(succeeded, count("rcm.rotation", "outcome", "success"));
    }

    @Test
    void successfulRotationIsCountedAsSuccess() {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "old");
        double failed = count("rcm.rotation", "outcome", "failed");
        double succeeded = count("rcm.rotation", "outcome", "success");

        assertTrue(rotate(portal).getSuccess());

        assertEquals(failed, count("rcm.rotation", "outcome", "failed"));
        assertEquals(succeeded + 1, count("rcm.rotation", "outcome", "success"));
    }

    /** A counter's value; 0 when it has not been registered yet (counters are created on first use). */
    private double count(String name, String... tags) {
        return Metrics.count(registry, name, tags);
    }

    private static GetCredentialsResponse get(String portal) {
        return credentials(WORKER).getCredentials(GetCredentialsRequest.newBuilder().setPortalId(portal).build());
    }

    private static RotateCredentialsResponse rotate(String portal) {
        return credentials(ADMIN).rotateCredentials(RotateCredentialsRequest.newBuilder()
                .setPortalId(portal).setNewCredentials(credentialsWith("new")).build());
    }

    private static String newPortal() {
        return "portal-" + UUID.randomUUID();
    }
}
