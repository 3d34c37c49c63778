package org.rcm.credentials.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.api.v1.RegisterEndpointRequest;
import org.rcm.credentials.api.v1.RotateCredentialsRequest;
import org.rcm.credentials.local.MetricsText;
import org.rcm.credentials.local.aws.LocalAwsControl;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Management;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestGrpc;
import org.rcm.credentials.support.TestIdentity;

/**
 * The counters the credential storage guide asks for, read where Prometheus (EKS) and the ECS
 * collector read them: /q/metrics of the packaged service. Each moves by exactly its events:
 * fetch failures, cache hits and misses, legacy fallbacks, rotations by outcome, calls from
 * unexpected addresses. (A stale serve needs a value past the cache's TTL: LifecycleCountersTest
 * drives it in the test JVM.)
 */
@QuarkusIntegrationTest
class SeedMetricsIT {

    private final LocalAwsControl aws = new LocalAwsControl(TestEnvironment.awsUri());
    private final String tenant = "metrics-" + UUID.randomUUID();
    private final Channel admin = TestGrpc.channel(tenant, "admin");

    @AfterEach
    void resetFaults() {
        aws.resetFaults();
    }

    @Test
    void cacheMissThenHitAndAFetchFailureAreCounted() throws Exception {
        String warm = stored();
        String failing = stored();
        Map<String, Double> before = snapshot();

        get(warm);
        get(warm);
        Map<String, Double> warmed = snapshot();
        aws.onResource("AmazonSSM.GetParameter", failing, "fail", 100);
        assertThrows(StatusRuntimeException.class, () -> get(failing));
        Map<String, Double> after = snapshot();

        assertEquals(1, delta(before, warmed, "rcm_cache_lookups_total", "result", "miss"));
        assertEquals(1, delta(before, warmed, "rcm_cache_lookups_total", "result", "hit"));
        assertEquals(1, delta(before, warmed, "rcm_secret_fetch_total", "backend", "ssm", "outcome", "success"));
        assertEquals(1, delta(warmed, after, "rcm_secret_fetch_total", "backend", "ssm", "outcome", "unavailable"));
        assertEquals(0, delta(warmed, after, "rcm_cache_lookups_total", "result", "hit"));
        assertEquals(1, delta(warmed, after, "rcm_credential_access_total", "access_type", "retrieve", "outcome", "failure"));
    }

    @Test
    void legacyFallbacksAndRotationsByOutcomeAreCounted() throws Exception {
        String legacy = "legacy-" + UUID.randomUUID();
        Broker.register(admin, legacy, """
                {"credentials": {"username": "legacy_user", "password": "legacy_pw"}}""");
        String rotated = stored();
        String failed = stored();
        Map<String, Double> before = snapshot();

        get(legacy);
        assertTrue(rotate(rotated));
        aws.onResource("AmazonSSM.PutParameter", failed, "fail", 100);
        assertFalse(rotate(failed));

        Map<String, Double> after = snapshot();
        assertEquals(1, delta(before, after, "rcm_legacy_fallback_total", "case", "not_migrated"));
        assertEquals(1, delta(before, after, "rcm_rotation_total", "outcome", "success"));
        assertEquals(1, delta(before, after, "rcm_rotation_total", "outcome", "failed"));
    }

    @Test
    void aCallFromOutsideItsTenantsRangesIsCountedByAction() throws Exception {
        Map<String, Double> before = snapshot();

        Broker.admin(TestIdentity.IP_FLAGGED_ADMIN).registerEndpoint(RegisterEndpointRequest.newBuilder()
                .setPortalId("flagged-" + UUID.randomUUID()).setName("n").setPortalType("insurance").build());

        Map<String, Double> after = snapshot();
        assertEquals(1, delta(before, after, "rcm_access_unexpected_ip_total", "action", "flag"));
        assertEquals(0, delta(before, after, "rcm_access_unexpected_ip_total", "action", "deny"));
    }

    private String stored() {
        String portal = "p-" + UUID.randomUUID();
        Broker.registerAndStore(admin, portal, "pw");
        return portal;
    }

    private void get(String portal) {
        Broker.credentials(TestGrpc.channel(tenant, "worker"))
                .getCredentials(GetCredentialsRequest.newBuilder().setPortalId(portal).build());
    }

    private boolean rotate(String portal) {
        return Broker.credentials(admin).rotateCredentials(RotateCredentialsRequest.newBuilder().setPortalId(portal).build())
                .getSuccess();
    }

    private static Map<String, Double> snapshot() throws Exception {
        return MetricsText.parse(Management.packagedMetrics());
    }

    /** How much the samples of {@code name} with every label {@code key="value"} of {@code labels} (pairs) moved. */
    private static double delta(Map<String, Double> before, Map<String, Double> after, String name, String... labels) {
        String[] fragments = new String[labels.length / 2];
        for (int i = 0; i < labels.length; i += 2) {
            fragments[i / 2] = labels[i] + "=\"" + labels[i + 1] + "\"";
        }
        return MetricsText.sum(after, name, fragments) - MetricsText.sum(before, name, fragments);
    }
}
