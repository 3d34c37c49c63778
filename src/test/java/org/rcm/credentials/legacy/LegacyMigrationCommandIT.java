package org.rcm.credentials.legacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Channel;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.io.IOException;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.CredentialSource;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.local.aws.LocalAwsControl;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Db;
import org.rcm.credentials.support.RcmctlProcess;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestGrpc;

/**
 * The operator's migration, end to end: {@code rcmctl migrate} and {@code rcmctl purge} (the
 * CLI in a process of its own, with an admin certificate) against the packaged service.
 */
@QuarkusIntegrationTest
class LegacyMigrationCommandIT {

    private final LocalAwsControl aws = new LocalAwsControl(TestEnvironment.awsUri());
    private final String tenant = "rcmctl-" + UUID.randomUUID();

    @AfterEach
    void resetFaults() {
        aws.resetFaults();
    }

    @Test
    void migrateAndPurgePageThroughTheTenantAndSayWhatFailed() throws Exception {
        Channel admin = TestGrpc.channel(tenant, "admin");
        for (int i = 0; i < 25; i++) {
            String portal = String.format("p%02d", i);
            Broker.register(admin, portal, i == 24 ? "" : """
                    {"credentials": {"username": "user", "password": "pw-%s"}}""".formatted(portal));
        }
        aws.onResource("AmazonSSM.PutParameter", "/p07", "throttle", 1000);

        RcmctlProcess.Result dryRun = rcmctl("-dry-run", "-limit", "10", "migrate");
        assertEquals(0, dryRun.status(), dryRun.output());
        assertThat(dryRun.output()).contains("dry run, would migrate 24 portals, skipped 1, failed 0");
        assertEquals(25, Db.count("SELECT count(*) FROM integration_endpoint WHERE tenant_id = ? AND secret_arn IS NULL",
                tenant));

        RcmctlProcess.Result first = rcmctl("-limit", "10", "migrate");
        assertEquals(1, first.status(), first.output());
        assertThat(first.output())
                .contains("page 1: migrated 9, skipped 0, failed 1 [p07]")
                .contains("page 2 (after p09): migrated 10, skipped 0, failed 0")
                .contains("page 3 (after p19): migrated 4, skipped 1, failed 0")
                .contains("migrated 23 portals, skipped 1, failed 1: p07 (run it again to retry them)");

        aws.resetFaults();
        RcmctlProcess.Result second = rcmctl("-limit", "10", "migrate");
        assertEquals(0, second.status(), second.output());
        assertThat(second.output()).contains("migrated 1 portals, skipped 24, failed 0");

        RcmctlProcess.Result purge = rcmctl("-limit", "10", "purge");
        assertEquals(0, purge.status(), purge.output());
        assertThat(purge.output()).contains("purged 24 portals, kept unverified 0");
        assertEquals(0, Db.count("SELECT count(*) FROM integration_endpoint WHERE tenant_id = ?"
                + " AND config -> 'credentials' IS NOT NULL", tenant));
        var read = Broker.credentials(TestGrpc.channel(tenant, "worker"))
                .getCredentials(GetCredentialsRequest.newBuilder().setPortalId("p07").build());
        assertEquals(CredentialSource.CREDENTIAL_SOURCE_SECRET_STORE, read.getSource());
        assertEquals("pw-p07", read.getCredentials().getPassword());
    }

    @Test
    void badFlagsAreAOneLineErrorWithStatus2() throws Exception {
        TestGrpc.channel(tenant, "admin");

        RcmctlProcess.Result result = rcmctl("-backend", "vault", "migrate");

        assertEquals(2, result.status());
        assertEquals("-backend must be ssm or secrets-manager", result.output().strip());
    }

    private RcmctlProcess.Result rcmctl(String... args) throws IOException, InterruptedException {
        return RcmctlProcess.run(tenant, args);
    }
}
