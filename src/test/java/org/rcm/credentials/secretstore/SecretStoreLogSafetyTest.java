package org.rcm.credentials.secretstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.local.LocalServices;
import org.rcm.credentials.local.aws.LocalAwsControl;
import org.rcm.credentials.support.Await;
import org.rcm.credentials.support.TestEnvironment;

/**
 * Scans everything this layer logged during the test run (the DEBUG log file, AWS SDK request
 * logging included) for ARNs, parameter paths, the account id and secret values.
 */
@QuarkusTest
class SecretStoreLogSafetyTest {

    private static final Path LOG = Path.of("target/test-logs/broker.log");

    @Inject
    SecretStores stores;

    @Inject
    SecretNames names;

    @Test
    void noArnPathAccountOrSecretReachesTheLog() throws Exception {
        String password = "pw-" + UUID.randomUUID();
        String portal = "portal-" + UUID.randomUUID();
        LocalAwsControl aws = new LocalAwsControl(TestEnvironment.awsUri());
        for (SecretBackend backend : SecretBackend.values()) {
            SecretArn arn = names.arnFor("tenant-logs", portal, backend);
            SecretValue value = new SecretValue("user", password, "JBSWY3DPEHPK3PXP", Map.of());
            SecretVersion written = await(stores.of(backend).put(arn, value, null));
            await(stores.of(backend).get(written.arn(), written.versionId()));
            aws.failNext("*", 10);
            await(stores.of(backend).get(written.arn(), written.versionId()).onFailure().recoverWithNull());
            aws.resetFaults();
            Logger.getLogger(SecretStoreLogSafetyTest.class).warnf("Could not read %s", written.arn().value());
        }
        String marker = "log-safety-done-" + UUID.randomUUID();
        Logger.getLogger(SecretStoreLogSafetyTest.class).info(marker);
        Await.until(Duration.ofSeconds(10), () -> Files.readString(LOG).contains(marker));

        String log = Files.readString(LOG);

        assertThat(log).contains("Sending Request");
        assertThat(log).contains("Could not read arn:aws:ssm:us-east-1:****:parameter/rcm/****");
        assertThat(log)
                .doesNotContain(portal)
                .doesNotContain(password)
                .doesNotContain("JBSWY3DPEHPK3PXP")
                .doesNotContain(LocalServices.ACCOUNT_ID + ":")
                .doesNotContainPattern("/?rcm/[a-z]+/tenant-");
    }

    private static <T> T await(Uni<T> uni) {
        return uni.await().atMost(Duration.ofSeconds(30));
    }
}
