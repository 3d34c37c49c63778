package org.rcm.credentials.secretstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.local.aws.LocalAwsControl;
import org.rcm.credentials.reactive.VertxContexts;
import org.rcm.credentials.local.aws.LocalAwsEndpoint;
import org.rcm.credentials.secretstore.SecretStoreException.Reason;
import org.rcm.credentials.support.Await;
import org.rcm.credentials.support.MovableClock;
import org.rcm.credentials.support.TestEnvironment;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerAsyncClient;
import software.amazon.awssdk.services.ssm.SsmAsyncClient;

/**
 * Per-tenant AWS sessions against the local endpoint's STS, through the real SDK: each tenant's
 * calls are signed by a session tagged with its tenant, which AWS (here the endpoint) holds to
 * the tenant's names; sessions are reused, renewed in the background near expiry, assumed once
 * for concurrent first calls, and outlive an STS outage while they are valid.
 */
@QuarkusTest
@TestProfile(TenantSessionsTest.TenantRole.class)
class TenantSessionsTest {

    static final Duration TIMEOUT = Duration.ofSeconds(20);

    /** The tenant role on, as outside dev and test with RCM_AWS_TENANT_ROLE_ARN set. */
    public static class TenantRole implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("rcm.aws.tenant-role.enabled", "true",
                    "rcm.aws.tenant-role.arn", "arn:aws:iam::000000000000:role/rcm-dev-credential-broker-tenant");
        }
    }

    @Inject
    SecretStores stores;

    @Inject
    SecretNames names;

    @Inject
    TenantSessions sessions;

    @Inject
    TenantRoleConfig tenantRole;

    @Inject
    BrokerConfig config;

    @Inject
    SsmAsyncClient ssm;

    @Inject
    Vertx vertx;

    @Inject
    SecretsManagerAsyncClient secretsManager;

    final LocalAwsControl aws = new LocalAwsControl(TestEnvironment.awsUri());

    @AfterEach
    void resetFaults() {
        aws.resetFaults();
    }

    static String newTenant() {
        return "tenant-s-" + UUID.randomUUID().toString().substring(0, 8);
    }

    SecretArn arn(String tenant, SecretBackend backend) {
        return names.arnFor(tenant, "portal-" + UUID.randomUUID(), backend);
    }

    static SecretValue value(String password) {
        return new SecretValue("user", password, null, Map.of());
    }

    static <T> T await(Uni<T> uni) {
        return uni.await().atMost(TIMEOUT);
    }

    static Reason failureOf(Uni<?> uni) {
        return assertThrows(SecretStoreException.class, () -> await(uni)).reason();
    }

    long assumeRoles() {
        return aws.calls(LocalAwsEndpoint.ASSUME_ROLE);
    }

    /** Writes and reads a value of the tenant in SSM. */
    void readAndWrite(String tenant) {
        SecretVersion written = await(stores.of(SecretBackend.SSM_PARAMETER_STORE)
                .put(arn(tenant, SecretBackend.SSM_PARAMETER_STORE), value("pw"), null));
        assertEquals(value("pw"), await(stores.of(written.arn()).getCurrent(written.arn())));
    }

    /** A new secret of the tenant in {@code backend}, holding {@code value("b")}. */
    SecretVersion stored(String tenant, SecretBackend backend) {
        return await(stores.of(backend).put(arn(tenant, backend), value("b"), null));
    }

    /** The access key the tenant's calls are signed with now (resolving it may start a renewal). */
    String accessKeyOf(String tenant) throws Exception {
        return sessions.credentialsOf(tenant).resolveIdentity().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).accessKeyId();
    }

    /** Moves the broker's clock into the renewal window of sessions assumed just now. */
    void moveIntoTheRenewalWindow() {
        MovableClock.advance(tenantRole.sessionDuration().minus(tenantRole.refreshBefore()).plusSeconds(30));
    }

    @Test
    void aTenantsFirstCallAssumesItsRoleOnceAndLaterCallsOfBothStoresReuseTheSession() {
        String tenant = newTenant();
        aws.resetCalls();

        readAndWrite(tenant);
        SecretVersion secret = await(stores.of(SecretBackend.SECRETS_MANAGER)
                .put(arn(tenant, SecretBackend.SECRETS_MANAGER), value("sm"), null));
        assertEquals(value("sm"), await(stores.of(secret.arn()).getCurrent(secret.arn())));
        readAndWrite(tenant);

        assertTrue(sessions.perTenant());
        assertEquals(1, assumeRoles());
    }

    @Test
    void anotherTenantsNameSignedWithATenantsSessionIsDeniedByAwsAsAccessDenied() {
        String tenantA = newTenant();
        String tenantB = newTenant();
        SecretVersion parameter = stored(tenantB, SecretBackend.SSM_PARAMETER_STORE);
        SecretVersion secret = stored(tenantB, SecretBackend.SECRETS_MANAGER);
        readAndWrite(tenantA);

        // past the service's own checks: tenant B's names, signed as tenant A
        var tenantACredentials = sessions.credentialsOf(tenantA);
        Reason ssmRead = failureOf(AwsCalls.call(() -> ssm.getParameter(r -> r
                .overrideConfiguration(o -> o.credentialsProvider(tenantACredentials))
                .name(parameter.arn().parameterName())
                .withDecryption(true))));
        Reason secretRead = failureOf(AwsCalls.call(() -> secretsManager.getSecretValue(r -> r
                .overrideConfiguration(o -> o.credentialsProvider(tenantACredentials))
                .secretId(secret.arn().secretId()))));
        Reason secretWrite = failureOf(AwsCalls.call(() -> secretsManager.putSecretValue(r -> r
                .overrideConfiguration(o -> o.credentialsProvider(tenantACredentials))
                .secretId(secret.arn().secretId())
                .secretString("{}"))));

        assertEquals(Reason.ACCESS_DENIED, ssmRead);
        assertEquals(Reason.ACCESS_DENIED, secretRead);
        assertEquals(Reason.ACCESS_DENIED, secretWrite);
        // tenant B's own session still reads them, unchanged
        assertEquals(value("b"), await(stores.of(parameter.arn()).getCurrent(parameter.arn())));
        assertEquals(value("b"), await(stores.of(secret.arn()).getCurrent(secret.arn())));
    }

    /**
     * The service's own path, with its checks bypassed by a test hook: a request acting for
     * tenant A (as a gRPC call of A's certificate does) that names tenant B's secrets is signed
     * with A's session, not B's, and AWS refuses it; acting for B, the same reads succeed.
     */
    @Test
    void aRequestActingForATenantIsSignedAsThatTenantWhateverSecretItNames() {
        String tenantA = newTenant();
        String tenantB = newTenant();
        SecretVersion parameter = stored(tenantB, SecretBackend.SSM_PARAMETER_STORE);
        SecretVersion secret = stored(tenantB, SecretBackend.SECRETS_MANAGER);

        assertEquals(Reason.ACCESS_DENIED,
                failureOf(actingFor(tenantA, () -> stores.of(parameter.arn()).getCurrent(parameter.arn()))));
        assertEquals(Reason.ACCESS_DENIED, failureOf(actingFor(tenantA, () -> stores.of(secret.arn()).getCurrent(secret.arn()))));
        assertEquals(Reason.ACCESS_DENIED, failureOf(actingFor(tenantA, () -> stores.of(secret.arn())
                .put(secret.arn(), value("overwritten by A"), null))));
        // work split onto contexts of its own (a migration's portals) acts for the same tenant
        assertEquals(Reason.ACCESS_DENIED, failureOf(actingFor(tenantA, () -> VertxContexts.onOwnContext(
                () -> stores.of(parameter.arn()).getCurrent(parameter.arn())))));
        assertEquals(value("b"), await(actingFor(tenantB, () -> stores.of(parameter.arn()).getCurrent(parameter.arn()))));
        assertEquals(value("b"), await(actingFor(tenantB, () -> stores.of(secret.arn()).getCurrent(secret.arn()))));
    }

    /** {@code work} on a request's context that acts for {@code tenant}, as {@code CallerInterceptor} marks a call's. */
    <T> Uni<T> actingFor(String tenant, Supplier<Uni<T>> work) {
        return VertxContexts.onNewContext(vertx, () -> {
            VertxContexts.actFor(tenant);
            return work.get();
        });
    }

    @Test
    void hundredConcurrentFirstCallsOfATenantMakeOneAssumeRole() throws Exception {
        String tenant = newTenant();
        aws.resetCalls();
        // a slow STS, so that every call arrives while the first AssumeRole is under way
        aws.latency(LocalAwsEndpoint.ASSUME_ROLE, Duration.ofMillis(500));

        List<CompletableFuture<Reason>> calls = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            SecretArn missing = arn(tenant, SecretBackend.SSM_PARAMETER_STORE);
            calls.add(stores.of(missing).getCurrent(missing)
                    .map(found -> (Reason) null)
                    .onFailure(SecretStoreException.class).recoverWithItem(e -> ((SecretStoreException) e).reason())
                    .subscribeAsCompletionStage());
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        assertThat(calls).allSatisfy(call -> assertEquals(Reason.NOT_FOUND, call.join()));
        assertEquals(1, assumeRoles());
        assertEquals(100, aws.calls("AmazonSSM.GetParameter"));
    }

    @Test
    void aSessionNearItsExpiryIsRenewedInTheBackgroundWhileCallsKeepUsingIt() throws Exception {
        String tenant = newTenant();
        readAndWrite(tenant);
        aws.resetCalls();
        readAndWrite(tenant);
        assertEquals(0, assumeRoles());

        String before = accessKeyOf(tenant);
        moveIntoTheRenewalWindow();
        // a slow STS: a call that waited for the renewal would take longer than this bound
        aws.latency(LocalAwsEndpoint.ASSUME_ROLE, Duration.ofSeconds(3));
        long started = System.nanoTime();
        readAndWrite(tenant);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2500));

        // (that first attempt outlasts the attempt timeout; the SDK's retry, at normal speed, renews)
        aws.resetFaults();
        Await.until(TIMEOUT, () -> !accessKeyOf(tenant).equals(before));
        long renewals = assumeRoles();
        // the renewed session is fresh: no further AssumeRole
        readAndWrite(tenant);
        readAndWrite(tenant);
        assertThat(renewals).isPositive();
        assertEquals(renewals, assumeRoles());
    }

    @Test
    void anExpiredSessionIsRenewedBeforeTheCallGoesOut() {
        String tenant = newTenant();
        readAndWrite(tenant);
        aws.resetCalls();

        MovableClock.advance(tenantRole.sessionDuration());
        readAndWrite(tenant);

        assertEquals(1, assumeRoles());
    }

    @Test
    void stsDownFailsCallsUnavailableWithinTheCallBoundOnlyOnceTheSessionExpired() throws Exception {
        String tenant = newTenant();
        readAndWrite(tenant);
        aws.resetCalls();
        aws.failNext(LocalAwsEndpoint.ASSUME_ROLE, 1000);

        // valid session, renewal failing: calls are served with the session they have, and the
        // failed renewal is not tried again at once
        moveIntoTheRenewalWindow();
        readAndWrite(tenant);
        Await.until(TIMEOUT, () -> assumeRoles() == config.aws().maxAttempts());
        readAndWrite(tenant);
        readAndWrite(tenant);
        assertEquals(config.aws().maxAttempts(), assumeRoles());

        // expired: the call needs a new session and STS cannot give one
        MovableClock.advance(tenantRole.refreshBefore());
        long reads = aws.calls("AmazonSSM.GetParameter");
        long started = System.nanoTime();
        Reason reason = failureOf(stores.of(SecretBackend.SSM_PARAMETER_STORE)
                .getCurrent(arn(tenant, SecretBackend.SSM_PARAMETER_STORE)));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertEquals(Reason.UNAVAILABLE, reason);
        assertThat(took).isLessThan(config.aws().callTimeout());
        assertEquals(reads, aws.calls("AmazonSSM.GetParameter"));
        // the failed renewal's attempts, and this call's own unless it joined that one still under way
        assertThat(assumeRoles()).isBetween((long) config.aws().maxAttempts(), 2L * config.aws().maxAttempts());

        aws.resetFaults();
        readAndWrite(tenant);
    }

    @Test
    void stsThrottlingIsThrottledAndAnStsThatHangsIsUnavailableWithinTheCallTimeout() {
        aws.throttleNext(LocalAwsEndpoint.ASSUME_ROLE, 1000);
        assertEquals(Reason.THROTTLED, failureOf(stores.of(SecretBackend.SECRETS_MANAGER)
                .getCurrent(arn(newTenant(), SecretBackend.SECRETS_MANAGER))));
        aws.resetFaults();

        aws.latency(LocalAwsEndpoint.ASSUME_ROLE, config.aws().callTimeout().plusSeconds(5));
        long started = System.nanoTime();
        Reason hung = failureOf(stores.of(SecretBackend.SSM_PARAMETER_STORE)
                .getCurrent(arn(newTenant(), SecretBackend.SSM_PARAMETER_STORE)));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertEquals(Reason.UNAVAILABLE, hung);
        assertThat(took).isLessThan(config.aws().callTimeout().plusSeconds(2));
    }

    @Test
    void aSessionAwsNoLongerAcceptsIsReplacedAtTheTenantsNextCall() {
        String tenant = newTenant();
        readAndWrite(tenant);
        aws.resetCalls();

        aws.expireSessions();
        Reason refused = failureOf(stores.of(SecretBackend.SSM_PARAMETER_STORE)
                .getCurrent(arn(tenant, SecretBackend.SSM_PARAMETER_STORE)));
        readAndWrite(tenant);

        assertEquals(Reason.UNAVAILABLE, refused);
        assertEquals(1, assumeRoles());
    }

    @Test
    void stsRefusingTheServiceIsAccessDenied() {
        aws.denyNext(LocalAwsEndpoint.ASSUME_ROLE, 1);

        assertEquals(Reason.ACCESS_DENIED, failureOf(stores.of(SecretBackend.SSM_PARAMETER_STORE)
                .getCurrent(arn(newTenant(), SecretBackend.SSM_PARAMETER_STORE))));
    }
}
