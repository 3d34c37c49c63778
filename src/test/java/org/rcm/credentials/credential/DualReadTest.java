package org.rcm.credentials.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rcm.credentials.support.AuditLog.last;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rcm.credentials.api.v1.CredentialSource;
import org.rcm.credentials.api.v1.DeleteCredentialsRequest;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.api.v1.GetCredentialsResponse;
import org.rcm.credentials.api.v1.MigrateLegacyCredentialsRequest;
import org.rcm.credentials.api.v1.PurgeLegacyCredentialsRequest;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;
import org.rcm.credentials.local.aws.LocalAwsControl;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Db;
import org.rcm.credentials.support.Metrics;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestGrpc;
import software.amazon.awssdk.services.ssm.SsmAsyncClient;

/**
 * The seed's dual read, narrowed to the migration window: the legacy {@code config.credentials}
 * while no secret is stored, or while a migrated (not purged) portal's store fails transiently
 * with nothing cached; never after a Delete, a Store or a purge, never on not-found or access
 * denied. Each test has a tenant of its own, so that its migration sees only its portal.
 */
@QuarkusTest
class DualReadTest {

    private static final String LEGACY = """
            {"region": "east", "credentials": {"username": "legacy_user", "password": "legacy_pw",
             "mfa_seed": "JBSWY3DPEHPK3PXP", "metadata": {"portal_name": "Legacy"}}}""";
    private static final String GET_PARAMETER = "AmazonSSM.GetParameter";

    private final LocalAwsControl aws = new LocalAwsControl(TestEnvironment.awsUri());
    private final String tenant = "dual-read-" + UUID.randomUUID();
    private final String portal = "portal-" + UUID.randomUUID();
    private final Channel admin = TestGrpc.channel(tenant, "admin");
    private final Channel worker = TestGrpc.channel(tenant, "worker");

    @Inject
    SsmAsyncClient ssm;

    @Inject
    MeterRegistry registry;

    @Inject
    @CacheName("secret-values")
    Cache values;

    @Inject
    @CacheName("secret-fallbacks")
    Cache fallbacks;

    @AfterEach
    void resetFaults() {
        aws.resetFaults();
    }

    @Test
    void portalWithoutASecretIsServedFromLegacyConfig() {
        Broker.register(admin, portal, LEGACY);

        GetCredentialsResponse read = get();

        assertEquals(CredentialSource.CREDENTIAL_SOURCE_LEGACY_CONFIG, read.getSource());
        assertEquals("legacy_user", read.getCredentials().getUsername());
        assertEquals("legacy_pw", read.getCredentials().getPassword());
        assertEquals("", read.getCredentials().getMfaSeed());
        assertEquals(0, read.getVersion());
        assertEquals(true, last(AuditLog.rows(tenant, portal)).success());
    }

    @Test
    void deletedCredentialsAreNotServedFromLegacyConfig() {
        Broker.register(admin, portal, LEGACY);
        store("store_pw");

        assertTrue(delete());

        assertNotFound();
        assertEquals("{\"region\": \"east\"}", config(), "the other keys of config stay");
    }

    @Test
    void deletingLegacyOnlyCredentialsRemovesThem() {
        Broker.register(admin, portal, LEGACY);

        assertTrue(delete());

        assertNotFound();
        assertEquals("{\"region\": \"east\"}", config());
    }

    @Test
    void storeRemovesTheLegacyCopyItSupersedes() {
        Broker.register(admin, portal, LEGACY);
        store("store_pw");
        assertEquals("{\"region\": \"east\"}", config());
        dropCachedSecrets();
        aws.failNext(GET_PARAMETER, 10);

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, this::get);

        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"throttle", "fail"})
    void migratedPortalFallsBackWhenTheStoreFailsTransientlyWithNothingCached(String fault) {
        migratedPortal();
        double before = Metrics.count(registry, "rcm.legacy.fallback", "case", "store_unavailable");
        aws.onResource(GET_PARAMETER, portal, fault, 10);

        GetCredentialsResponse read = get();

        assertEquals(CredentialSource.CREDENTIAL_SOURCE_LEGACY_CONFIG, read.getSource());
        assertEquals("legacy_pw", read.getCredentials().getPassword());
        assertEquals(before + 1, Metrics.count(registry, "rcm.legacy.fallback", "case", "store_unavailable"));
    }

    @Test
    void migratedPortalServesTheStaleStoreValueBeforeLegacyConfig() {
        migratedPortal();
        get();
        values.invalidateAll().await().atMost(Duration.ofSeconds(5)); // only the stale copy is left
        aws.failNext(GET_PARAMETER, 10);

        GetCredentialsResponse read = get();

        assertEquals(CredentialSource.CREDENTIAL_SOURCE_SECRET_STORE, read.getSource());
        assertEquals("legacy_pw", read.getCredentials().getPassword());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"AccessDeniedException", "KMSAccessDeniedException", "DecryptionFailure"})
    void revokedAccessIsNotBypassedThroughLegacyConfig(String error) {
        migratedPortal();
        aws.errorNext(GET_PARAMETER, 10, error);

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, this::get);

        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertEquals("the secret store refused the service's access", e.getStatus().getDescription());
    }

    @Test
    void secretDeletedFromTheStoreIsNotBypassedThroughLegacyConfig() {
        migratedPortal();
        String name = "/rcm/" + TestEnvironment.ENVIRONMENT + "/" + tenant + "/" + portal;
        Uni.createFrom().completionStage(ssm.deleteParameter(r -> r.name(name))).await().atMost(Duration.ofSeconds(10));

        assertNotFound();
    }

    @Test
    void purgedPortalNeverFallsBack() {
        migratedPortal();
        assertEquals(1, Broker.admin(admin).purgeLegacyCredentials(PurgeLegacyCredentialsRequest.getDefaultInstance())
                .getPurged());
        dropCachedSecrets();
        aws.failNext(GET_PARAMETER, 10);

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, this::get);

        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertEquals("{\"region\": \"east\"}", config());
    }

    @Test
    void registeringPlaintextBesideASecretIsRefused() {
        Broker.register(admin, portal, "");
        store("store_pw");

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> Broker.register(admin, portal, LEGACY));

        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertThat(e.getStatus().getDescription()).contains("has credentials in the secret store");
        assertEquals("{}", config());
        assertEquals("store_pw", get().getCredentials().getPassword());
    }

    @Test
    void storeOutageWithoutLegacyConfigIsUnavailable() {
        Broker.register(admin, portal, "");
        store("store_pw");
        aws.failNext(GET_PARAMETER, 10);

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, this::get);

        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertEquals("the secret store is unavailable; retry with backoff", e.getStatus().getDescription());
    }

    @Test
    void portalWithNeitherIsNotFound() {
        Broker.register(admin, portal, "");

        assertNotFound();
        AuditLog.Row row = last(AuditLog.rows(tenant, portal));
        assertEquals("NOT_FOUND: no credentials for portal " + portal, row.errorMessage());
    }

    /** The portal's legacy credentials migrated (and verified), not purged, and nothing of them cached. */
    private void migratedPortal() {
        Broker.register(admin, portal, LEGACY);
        assertEquals(1, Broker.admin(admin).migrateLegacyCredentials(MigrateLegacyCredentialsRequest.getDefaultInstance())
                .getMigrated());
        assertEquals("migrated_verified", Db.endpoint(tenant, portal).get("legacy_migration"));
        dropCachedSecrets();
    }

    private void dropCachedSecrets() {
        values.invalidateAll().await().atMost(Duration.ofSeconds(5));
        fallbacks.invalidateAll().await().atMost(Duration.ofSeconds(5));
    }

    private void store(String password) {
        Broker.credentials(admin).storeCredentials(StoreCredentialsRequest.newBuilder()
                .setPortalId(portal)
                .setCredentials(Broker.credentialsWith(password))
                .build());
    }

    private boolean delete() {
        return Broker.credentials(admin).deleteCredentials(DeleteCredentialsRequest.newBuilder().setPortalId(portal).build())
                .getDeleted();
    }

    private void assertNotFound() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, this::get);
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertEquals("no credentials for portal " + portal, e.getStatus().getDescription());
    }

    private String config() {
        return Db.text("SELECT config::text FROM integration_endpoint WHERE tenant_id = ? AND portal_id = ?", tenant, portal);
    }

    private GetCredentialsResponse get() {
        return Broker.credentials(worker).getCredentials(GetCredentialsRequest.newBuilder().setPortalId(portal).build());
    }
}
