package org.rcm.credentials.credential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rcm.credentials.support.Broker.credentials;
import static org.rcm.credentials.support.Broker.credentialsWith;
import static org.rcm.credentials.support.Broker.newPortal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.RotateCredentialsRequest;
import org.rcm.credentials.api.v1.RotateCredentialsResponse;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;
import org.rcm.credentials.api.v1.StoreCredentialsResponse;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.local.aws.LocalAwsControl;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Db;
import org.rcm.credentials.support.Management;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestIdentity;

/**
 * Idempotency keys: a retry with the same payload gets the first answer without a second
 * write; the same key with another payload fails ALREADY_EXISTS and changes nothing. Postgres
 * keeps only an HMAC of the request under the configured key, never a plain hash.
 */
@QuarkusTest
class IdempotencyTest {

    private static final TestIdentity ADMIN = TestIdentity.TENANT_A_ADMIN;
    private static final byte[] REQUEST = "store\0portal\0SSM_PARAMETER_STORE\0{\"password\":\"hunter2\"}"
            .getBytes(StandardCharsets.UTF_8);
    private static final Idempotency.Operation<String> STORE = new Idempotency.Operation<>("store", Idempotency.codec(
            answer -> '"' + answer + '"', json -> json.substring(1, json.length() - 1)), answer -> Idempotency.Outcome.KEEP);

    private final LocalAwsControl aws = new LocalAwsControl(TestEnvironment.awsUri());

    @Inject
    Idempotency idempotency;

    @Inject
    BrokerConfig config;

    @Inject
    Pool pool;

    @Inject
    Vertx vertx;

    @Test
    void retriedStoreReturnsTheFirstAnswerWithoutASecondWrite() {
        String portal = newPortal();
        Broker.register(ADMIN, portal);
        StoreCredentialsRequest request = StoreCredentialsRequest.newBuilder()
                .setPortalId(portal).setCredentials(credentialsWith("pw")).setIdempotencyKey("store-" + portal).build();

        StoreCredentialsResponse first = credentials(ADMIN).storeCredentials(request);
        aws.resetCalls();
        StoreCredentialsResponse retried = credentials(ADMIN).storeCredentials(request);

        assertEquals(first, retried);
        assertEquals(0, aws.calls("AmazonSSM.PutParameter"));
        assertEquals(1L, Db.endpoint("tenant-a", portal).get("secret_version"));
    }

    @Test
    void reusedKeyWithAnotherPayloadIsRefusedAndChangesNothing() {
        String portal = newPortal();
        Broker.register(ADMIN, portal);
        String key = "store-" + portal;
        credentials(ADMIN).storeCredentials(StoreCredentialsRequest.newBuilder()
                .setPortalId(portal).setCredentials(credentialsWith("pw-1")).setIdempotencyKey(key).build());
        aws.resetCalls();

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> credentials(ADMIN).storeCredentials(
                StoreCredentialsRequest.newBuilder()
                        .setPortalId(portal).setCredentials(credentialsWith("pw-2")).setIdempotencyKey(key).build()));

        assertEquals(Status.Code.ALREADY_EXISTS, e.getStatus().getCode());
        assertEquals("idempotency_key was already used with a different request", e.getStatus().getDescription());
        assertEquals(0, aws.calls("AmazonSSM.PutParameter"));
        assertEquals(1L, Db.endpoint("tenant-a", portal).get("secret_version"));
    }

    @Test
    void retriedRotationReturnsTheFirstAnswerWithoutASecondRotation() {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "pw");
        RotateCredentialsRequest request = RotateCredentialsRequest.newBuilder()
                .setPortalId(portal).setIdempotencyKey("rotate-" + portal).build();

        RotateCredentialsResponse first = credentials(ADMIN).rotateCredentials(request);
        RotateCredentialsResponse retried = credentials(ADMIN).rotateCredentials(request);

        assertTrue(first.getSuccess());
        assertEquals(first, retried);
        assertEquals(2L, Db.endpoint("tenant-a", portal).get("secret_version"));
    }

    @Test
    void storedRequestHashIsAnHmacUnderTheConfiguredKey() throws GeneralSecurityException {
        String key = "hmac-" + System.nanoTime();

        once(idempotency, key, REQUEST, () -> "first");

        String stored = Db.text("SELECT request_hash FROM idempotency_record WHERE tenant_id = 'tenant-a'"
                + " AND idempotency_key = ?", key);
        assertEquals(hmacSha256(Base64.getDecoder().decode(config.idempotency().key().orElseThrow()), REQUEST), stored);
    }

    @Test
    void retryOnAnotherReplicaWithTheSameKeyGetsTheFirstAnswer() {
        String key = "replica-" + System.nanoTime();
        once(idempotency, key, REQUEST, () -> "first");

        Idempotency otherReplica = new Idempotency(pool, vertx, config);

        assertEquals("first", once(otherReplica, key, REQUEST, () -> "second"));
    }

    @Test
    void sameKeyWithOtherCredentialsIsRefused() {
        String key = "other-" + System.nanoTime();
        once(idempotency, key, REQUEST, () -> "first");
        byte[] otherPassword = new String(REQUEST, StandardCharsets.UTF_8).replace("hunter2", "hunter3")
                .getBytes(StandardCharsets.UTF_8);

        BrokerException e = assertThrows(BrokerException.class, () -> once(idempotency, key, otherPassword, () -> "second"));

        assertEquals("IDEMPOTENCY_KEY_REUSED", e.reason());
    }

    @Test
    void aHungDatabaseFailsAKeyedRequestWithinTheDatabaseTimeout() throws Exception {
        TestEnvironment.databaseProxy().stall();
        BrokerException e;
        try {
            e = assertThrows(BrokerException.class, () -> once(idempotency, "hung-" + System.nanoTime(), REQUEST, () -> "first"));
        } finally {
            TestEnvironment.databaseProxy().restore();
        }

        assertEquals("DATABASE_UNAVAILABLE", e.reason());
        Management.awaitReady();
    }

    @Test
    void aKeyWhoseWriteTookEffectIsNeverReleasedAndItsRetrySettlesInsteadOfWritingAgain() {
        String key = "unsettled-" + System.nanoTime();
        AtomicInteger writes = new AtomicInteger();
        Function<Idempotency.Attempt, Uni<String>> writeThenFail = attempt -> {
            writes.incrementAndGet();
            attempt.wrote("7");
            return Uni.createFrom().failure(BrokerException.unavailable("DATABASE_UNAVAILABLE", "record failed", null));
        };
        assertThrows(BrokerException.class, () -> once(idempotency, key, writeThenFail, written -> null));

        String settled = once(idempotency, key, writeThenFail, written -> Uni.createFrom().item("settled " + written));
        String again = once(idempotency, key, writeThenFail, written -> Uni.createFrom().item("settled twice"));

        assertEquals("settled 7", settled);
        assertEquals("settled 7", again, "a settled answer is kept");
        assertEquals(1, writes.get());
    }

    @Test
    void anUnsettledWriteKnownNotToBeCurrentRunsAgain() {
        String key = "not-current-" + System.nanoTime();
        AtomicInteger writes = new AtomicInteger();
        assertThrows(BrokerException.class, () -> once(idempotency, key, attempt -> {
            writes.incrementAndGet();
            attempt.wrote("7");
            return Uni.createFrom().failure(BrokerException.unavailable("DATABASE_UNAVAILABLE", "record failed", null));
        }, written -> null));

        String retried = once(idempotency, key, attempt -> {
            writes.incrementAndGet();
            return Uni.createFrom().item("second");
        }, written -> Uni.createFrom().nullItem());

        assertEquals("second", retried);
        assertEquals(2, writes.get());
    }

    @Test
    void aFailureBeforeAnyWriteReleasesTheKey() {
        String key = "released-" + System.nanoTime();
        assertThrows(BrokerException.class, () -> once(idempotency, key, attempt -> Uni.createFrom().failure(
                BrokerException.unavailable("SECRET_STORE_UNAVAILABLE", "write failed", null)), written -> null));

        assertEquals("second", once(idempotency, key, REQUEST, () -> "second"));
    }

    private static String once(Idempotency idempotency, String key, byte[] request, Supplier<String> answer) {
        return once(idempotency, key, request, attempt -> Uni.createFrom().item(answer), written -> null);
    }

    private static String once(Idempotency idempotency, String key, Function<Idempotency.Attempt, Uni<String>> action,
            Function<String, Uni<String>> settle) {
        return once(idempotency, key, REQUEST, action, settle);
    }

    private static String once(Idempotency idempotency, String key, byte[] request,
            Function<Idempotency.Attempt, Uni<String>> action, Function<String, Uni<String>> settle) {
        return idempotency.once("tenant-a", key, STORE, request, action, settle)
                .await().atMost(Duration.ofSeconds(10));
    }

    private static String hmacSha256(byte[] key, byte[] request) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(request));
    }
}
