package org.rcm.credentials.secretstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.local.LocalServices;
import org.rcm.credentials.local.aws.LocalAwsControl;
import org.rcm.credentials.secretstore.SecretStoreException.Reason;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestLog;

/**
 * Drives every path of this layer on both backends with values unique to this test (writes,
 * reads by version and stage, a rotation, delete; not found, throttling retried and surfaced,
 * 5xx, access denied, already exists, invalid request), then scans what was logged meanwhile
 * (the DEBUG log file, AWS SDK request logging included) and the failures' messages for ARNs,
 * the parameter path and the secret values. It does not depend on other tests having run:
 * each secret-store test class also scans its own stretch of the log (SecretStoreTestBase).
 */
@QuarkusTest
class SecretStoreLogSafetyTest {

    private static final String TENANT = "tenant-logs";

    @Inject
    SecretStores stores;

    @Inject
    SecretNames names;

    @Inject
    BrokerConfig config;

    private final LocalAwsControl aws = new LocalAwsControl(TestEnvironment.awsUri());
    private final String portal = "portal-" + TestLog.token();
    private final String password = "pw-" + TestLog.token();
    private final String username = "user-" + TestLog.token();
    /** Base32, as an MFA seed is. */
    private final String mfaSeed = TestLog.token().toUpperCase(Locale.ROOT);
    private final List<String> failureMessages = new ArrayList<>();

    @AfterEach
    void resetFaults() {
        aws.resetFaults();
    }

    @Test
    void noArnPathOrSecretValueReachesTheLogOrAnError() throws Exception {
        TestLog.Window window = TestLog.open();
        for (SecretBackend backend : SecretBackend.values()) {
            exerciseEveryPath(backend);
        }
        logThroughTheSafetyNet();
        String logged = window.close();

        // the paths did reach the log: the SDK's request lines, its retries and the failed answers
        assertThat(logged)
                .contains("Sending Request")
                .contains("Retryable error detected")
                .contains("Received failed response: 500")
                .contains("Received failed response: 400");
        // and what the code logs itself is masked by the logging filter
        assertThat(logged)
                .contains("Could not read arn:aws:ssm:us-east-1:****:parameter/rcm/****")
                .contains("no access to arn:aws:secretsmanager:us-east-1:****:secret:rcm/**** (/rcm/****)");
        List<String> written = List.of(portal, password, username, mfaSeed,
                "rcm/" + config.environment() + "/" + TENANT, LocalServices.ACCOUNT_ID + ":");
        TestLog.assertNoSecretReference(logged, written);
        TestLog.assertNoSecretReference(String.join("\n", failureMessages), written);
    }

    private void exerciseEveryPath(SecretBackend backend) {
        SecretStore store = stores.of(backend);
        boolean ssm = backend == SecretBackend.SSM_PARAMETER_STORE;
        String read = ssm ? "AmazonSSM.GetParameter" : "secretsmanager.GetSecretValue";
        String write = ssm ? "AmazonSSM.PutParameter" : "secretsmanager.PutSecretValue";
        String delete = ssm ? "AmazonSSM.DeleteParameter" : "secretsmanager.DeleteSecret";

        SecretArn arn = await(store.put(names.arnFor(TENANT, portal, backend), value("1"), null)).arn();
        SecretVersion second = await(store.put(arn, value("2"), null));
        SecretVersion pending = await(store.writePending(arn, value("3"), null));
        await(store.get(arn, second.versionId()));
        await(store.get(arn, SecretStage.PENDING));
        await(store.promote(arn, pending.versionId()));
        await(store.getCurrent(arn));
        await(store.currentVersionId(arn));

        aws.throttleNext(read, 2);
        await(store.getCurrent(arn));
        aws.resetFaults();

        aws.throttleNext(read, 10);
        refused(store.getCurrent(arn), Reason.THROTTLED);
        aws.resetFaults();

        aws.failNext(read, 10);
        refused(store.getCurrent(arn), Reason.UNAVAILABLE);
        aws.resetFaults();

        aws.denyNext(read, 1);
        refused(store.getCurrent(arn), Reason.ACCESS_DENIED);

        aws.errorNext(write, 1, ssm ? "ParameterAlreadyExists" : "ResourceExistsException");
        refused(store.put(arn, value("4"), null), Reason.ALREADY_EXISTS);

        if (ssm) {
            aws.errorNext(write, 1, "ValidationException");
            refused(store.put(arn, value("5"), null), Reason.INVALID_REQUEST);
        } else {
            aws.errorNext("secretsmanager.UpdateSecretVersionStage", 1, "InvalidRequestException");
            refused(store.promote(arn, second.versionId()), Reason.INVALID_REQUEST);
        }

        refused(store.getCurrent(names.arnFor(TENANT, portal + "-missing", backend)), Reason.NOT_FOUND);

        aws.denyNext(delete, 1);
        refused(store.delete(arn), Reason.ACCESS_DENIED);

        await(store.delete(arn));
        assertFalse(await(store.delete(arn)));
    }

    /** A line the code should never write, and an exception whose message names a secret. */
    private void logThroughTheSafetyNet() {
        Logger log = Logger.getLogger(SecretStoreLogSafetyTest.class);
        SecretArn parameter = names.arnFor(TENANT, portal, SecretBackend.SSM_PARAMETER_STORE);
        SecretArn secret = names.arnFor(TENANT, portal, SecretBackend.SECRETS_MANAGER);
        log.warnf("Could not read %s", parameter.value());
        log.warn("Store call failed", new IllegalStateException(
                "no access to " + secret.value() + " (" + parameter.parameterName() + ")"));
    }

    private void refused(Uni<?> call, Reason expected) {
        SecretStoreException failure = assertThrows(SecretStoreException.class, () -> await(call));
        assertEquals(expected, failure.reason());
        failureMessages.add(failure.toString());
    }

    private SecretValue value(String version) {
        return new SecretValue(username, password + "-" + version, mfaSeed, Map.of("portal_name", "LogSafety"));
    }

    private static <T> T await(Uni<T> uni) {
        return uni.await().atMost(Duration.ofSeconds(30));
    }
}
