package org.rcm.credentials.secretstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.local.aws.LocalAwsControl;
import org.rcm.credentials.secretstore.SecretStoreException.Reason;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestLog;

/**
 * The {@link SecretStore} contract, run against each backend through the real AWS SDK over
 * HTTP to the local endpoint. Subclasses add what only their backend does. After all tests of
 * a class, what they logged (their throttled, failing and denied calls included) is scanned
 * for ARNs, their parameter paths and the secret values they wrote.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SecretStoreTestBase {

    static final Duration TIMEOUT = Duration.ofSeconds(20);
    static final String TENANT = "tenant-store";
    static final String MFA_SEED = "JBSWY3DPEHPK3PXP";
    /** In the password of every value written here, so that the log scan finds any of them. */
    static final String VALUE_MARK = TestLog.token();

    @Inject
    SecretStores stores;

    @Inject
    SecretNames names;

    @Inject
    BrokerConfig config;

    @Inject
    TenantSessions sessions;

    final LocalAwsControl aws = new LocalAwsControl(TestEnvironment.awsUri());

    private TestLog.Window logWindow;

    abstract SecretBackend backend();

    /** The local endpoint's target name of an operation of this backend. */
    abstract String target(String operation);

    abstract String getOperation();

    abstract String deleteOperation();

    SecretStore store() {
        return stores.of(backend());
    }

    /**
     * The same store over a client of its own, built as the service builds it, whose retry
     * budget (the SDK's token bucket) no earlier test has spent: for tests that count retries.
     */
    abstract SecretStore storeWithOwnRetryBudget();

    SecretArn newArn() {
        return names.arnFor(TENANT, "portal-" + UUID.randomUUID(), backend());
    }

    static SecretValue value(String password) {
        return new SecretValue("user", password + "-" + VALUE_MARK, MFA_SEED, Map.of("portal_name", "BlueCross"));
    }

    static <T> T await(Uni<T> uni) {
        return uni.await().atMost(TIMEOUT);
    }

    static Reason failureOf(Uni<?> uni) {
        SecretStoreException e = assertThrows(SecretStoreException.class, () -> await(uni));
        return e.reason();
    }

    @BeforeAll
    void openLogWindow() {
        logWindow = TestLog.open();
    }

    @AfterEach
    void resetFaults() {
        aws.resetFaults();
    }

    @AfterAll
    void nothingWrittenHereReachedTheLog() throws Exception {
        String logged = logWindow.close();

        // the window holds the SDK's DEBUG lines of this class's calls, retries and failures
        assertThat(logged).contains("Sending Request").contains("Retryable error detected");
        TestLog.assertNoSecretReference(logged, List.of(VALUE_MARK, MFA_SEED, "rcm/" + config.environment() + "/" + TENANT));
    }

    @Test
    void storedValueReadsBack() {
        SecretArn arn = newArn();

        SecretVersion written = await(store().put(arn, value("pw-1"), null));

        assertEquals(value("pw-1"), await(store().get(written.arn(), written.versionId())));
        assertEquals(written.versionId(), await(store().currentVersionId(written.arn())));
    }

    @Test
    void everyPutIsANewCurrentVersionAndOldVersionsStayReadable() {
        SecretVersion first = await(store().put(newArn(), value("pw-1"), null));
        SecretVersion second = await(store().put(first.arn(), value("pw-2"), null));

        assertThat(second.versionId()).isNotEqualTo(first.versionId());
        assertEquals(second.versionId(), await(store().currentVersionId(first.arn())));
        assertEquals(value("pw-1"), await(store().get(first.arn(), first.versionId())));
        assertEquals(value("pw-2"), await(store().get(first.arn(), second.versionId())));
    }

    @Test
    void pendingVersionIsNotCurrentUntilPromoted() {
        SecretVersion current = await(store().put(newArn(), value("old"), null));

        SecretVersion pending = await(store().writePending(current.arn(), value("new"), null));

        assertEquals(current.versionId(), await(store().currentVersionId(current.arn())));
        assertEquals(value("new"), await(store().get(current.arn(), pending.versionId())));

        await(store().promote(current.arn(), pending.versionId()));

        assertEquals(pending.versionId(), await(store().currentVersionId(current.arn())));
    }

    @Test
    void currentAndPendingStagesReadBackAndFollowThePromotion() {
        SecretVersion current = await(store().put(newArn(), value("old"), null));
        SecretArn arn = current.arn();
        SecretVersion pending = await(store().writePending(arn, value("new"), null));

        assertEquals(value("old"), await(store().getCurrent(arn)));
        assertEquals(value("old"), await(store().get(arn, SecretStage.CURRENT)));
        assertEquals(value("new"), await(store().get(arn, SecretStage.PENDING)));

        await(store().promote(arn, pending.versionId()));

        assertEquals(value("new"), await(store().getCurrent(arn)));
    }

    @Test
    void nullVersionIdReadsTheCurrentVersion() {
        SecretVersion current = await(store().put(newArn(), value("current"), null));
        await(store().writePending(current.arn(), value("pending"), null));

        assertEquals(value("current"), await(store().get(current.arn(), (String) null)));
    }

    @Test
    void stageThatNoVersionCarriesIsNotFound() {
        SecretVersion written = await(store().put(newArn(), value("pw"), null));

        assertEquals(Reason.NOT_FOUND, failureOf(store().get(written.arn(), SecretStage.PENDING)));
    }

    @Test
    void deletedSecretIsNotFound() {
        SecretVersion written = await(store().put(newArn(), value("pw"), null));

        assertTrue(await(store().delete(written.arn())));

        assertEquals(Reason.NOT_FOUND, failureOf(store().get(written.arn(), written.versionId())));
        assertEquals(Reason.NOT_FOUND, failureOf(store().getCurrent(written.arn())));
        assertFalse(await(store().delete(written.arn())));
    }

    @Test
    void deleteOfASecretThatNeverExistedIsFalse() {
        assertFalse(await(store().delete(newArn())));
    }

    @Test
    void deniedDeleteFailsAndTheSecretStays() {
        SecretVersion written = await(store().put(newArn(), value("pw"), null));
        aws.denyNext(target(deleteOperation()), 1);

        assertEquals(Reason.ACCESS_DENIED, failureOf(store().delete(written.arn())));
        assertEquals(value("pw"), await(store().getCurrent(written.arn())));
    }

    @Test
    void deleteThatKeepsFailingWithServerErrorsIsUnavailable() {
        SecretVersion written = await(store().put(newArn(), value("pw"), null));
        aws.failNext(target(deleteOperation()), 10);

        assertEquals(Reason.UNAVAILABLE, failureOf(store().delete(written.arn())));
        assertEquals(value("pw"), await(store().getCurrent(written.arn())));
    }

    @Test
    void missingSecretIsNotFound() {
        SecretArn arn = newArn();
        assertEquals(Reason.NOT_FOUND, failureOf(store().currentVersionId(arn)));
        assertEquals(Reason.NOT_FOUND, failureOf(store().getCurrent(arn)));
    }

    @Test
    void valueExactlyAtTheLimitIsStoredAndOneByteMoreIsRefusedBeforeAnyCall() {
        assertLimitIsExact(store(), backend().maxValueBytes(false));
    }

    /** {@code limit} bytes of JSON are written and read back; one more byte is refused without an AWS call. */
    void assertLimitIsExact(SecretStore store, int limit) {
        SecretVersion written = await(store.put(newArn(), valueOfSize(limit), null));
        assertEquals(valueOfSize(limit), await(store.get(written.arn(), written.versionId())));

        SecretArn arn = newArn();
        aws.resetCalls();

        BrokerException put = assertThrows(BrokerException.class, () -> await(store.put(arn, valueOfSize(limit + 1), null)));
        BrokerException pending = assertThrows(BrokerException.class,
                () -> await(store.writePending(written.arn(), valueOfSize(limit + 1), null)));

        assertEquals(BrokerException.Kind.INVALID_INPUT, put.kind());
        assertEquals("SECRET_TOO_LARGE", put.reason());
        assertEquals("SECRET_TOO_LARGE", pending.reason());
        assertThat(aws.calls()).isEmpty();
    }

    /** A value whose JSON form is exactly {@code bytes} bytes long. */
    static SecretValue valueOfSize(int bytes) {
        int empty = value("").toJson().getBytes(StandardCharsets.UTF_8).length;
        SecretValue sized = value("x".repeat(bytes - empty));
        assertEquals(bytes, sized.toJson().getBytes(StandardCharsets.UTF_8).length);
        return sized;
    }

    @Test
    void attemptsSlowerThanThePerAttemptTimeoutAreCutRetriedThenUnavailable() {
        SecretVersion written = await(store().put(newArn(), value("pw"), null));
        Duration attemptTimeout = config.aws().attemptTimeout();
        // slower than one attempt may take, faster than the whole call: only the per-attempt timeout can fail it
        Duration latency = attemptTimeout.plusSeconds(1);
        assertThat(latency).isLessThan(config.aws().callTimeout());
        aws.resetCalls();
        aws.latency(target(getOperation()), latency);

        Uni<SecretValue> read = storeWithOwnRetryBudget().get(written.arn(), written.versionId());
        SecretStoreException e = assertThrows(SecretStoreException.class, () -> await(read));
        assertEquals(Reason.UNAVAILABLE, e.reason());
        assertThat(aws.calls(target(getOperation())))
                .as("attempts that reached the endpoint; the call ended with %s, calls %s", exceptionTypes(e), aws.calls())
                .isGreaterThanOrEqualTo(2);
    }

    /** The types of a failure, its causes and what they suppressed, for an assertion's message (no messages: no names). */
    private static String exceptionTypes(Throwable failure) {
        StringBuilder types = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            types.append(t.getClass().getSimpleName());
            for (Throwable suppressed : t.getSuppressed()) {
                types.append(" [suppressed ").append(suppressed.getClass().getSimpleName()).append(']');
            }
            types.append(t.getCause() == null ? "" : " <- ");
        }
        return types.toString();
    }

    @Test
    void throttlingIsRetriedWithBackoff() {
        SecretVersion written = await(store().put(newArn(), value("pw"), null));
        aws.resetCalls();
        aws.throttleNext(target(getOperation()), 2);

        assertEquals(value("pw"), await(store().get(written.arn(), written.versionId())));
        assertEquals(3, aws.calls(target(getOperation())));
    }

    @Test
    void persistentThrottlingIsSurfacedAfterTheRetries() {
        SecretVersion written = await(store().put(newArn(), value("pw"), null));
        aws.resetCalls();
        aws.throttleNext(target(getOperation()), 10);

        assertEquals(Reason.THROTTLED, failureOf(store().get(written.arn(), written.versionId())));
        assertEquals(3, aws.calls(target(getOperation())));
    }

    @Test
    void serverErrorsAreRetriedThenUnavailable() {
        SecretVersion written = await(store().put(newArn(), value("pw"), null));
        aws.failNext(target(getOperation()), 10);

        assertEquals(Reason.UNAVAILABLE, failureOf(store().get(written.arn(), written.versionId())));
    }

    @Test
    void accessDeniedIsNotRetried() {
        SecretVersion written = await(store().put(newArn(), value("pw"), null));
        aws.resetCalls();
        aws.denyNext(target(getOperation()), 1);

        assertEquals(Reason.ACCESS_DENIED, failureOf(store().get(written.arn(), written.versionId())));
        assertEquals(1, aws.calls(target(getOperation())));
    }
}
