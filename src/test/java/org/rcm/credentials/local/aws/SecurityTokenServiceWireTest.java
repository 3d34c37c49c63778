package org.rcm.credentials.local.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsAsyncClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * STS's AssumeRole over the Query protocol through the real SDK, and what the endpoint then
 * allows a call signed with the issued credentials: only names of the session's TenantId tag.
 */
class SecurityTokenServiceWireTest extends LocalAwsTestBase {

    static final String ROLE = "arn:aws:iam::000000000000:role/rcm-dev-credential-broker-tenant";

    StsAsyncClient sts;

    @BeforeAll
    void startSts() {
        sts = StsAsyncClient.builder()
                .endpointOverride(endpoint.uri())
                .region(Region.US_EAST_1)
                .credentialsProvider(CREDENTIALS)
                .httpClientBuilder(NettyNioAsyncHttpClient.builder())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    @AfterAll
    void stopSts() {
        sts.close();
    }

    CompletableFuture<AssumeRoleResponse> assume(String tenant) {
        return sts.assumeRole(r -> r.roleArn(ROLE).roleSessionName("rcm-" + tenant).durationSeconds(900)
                .tags(t -> t.key("TenantId").value(tenant)));
    }

    static AwsRequestOverrideConfiguration signedWith(Credentials credentials) {
        return AwsRequestOverrideConfiguration.builder()
                .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(
                        credentials.accessKeyId(), credentials.secretAccessKey(), credentials.sessionToken())))
                .build();
    }

    static AwsRequestOverrideConfiguration signedWith(String accessKeyId, String token) {
        return AwsRequestOverrideConfiguration.builder()
                .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(accessKeyId, "secret", token)))
                .build();
    }

    @Test
    void assumeRoleIssuesTemporaryCredentialsForTheAskedDuration() {
        Instant before = Instant.now();
        AssumeRoleResponse response = assume("tenant-a").join();

        Credentials credentials = response.credentials();
        assertThat(credentials.accessKeyId()).startsWith("ASIA").hasSize(20);
        assertThat(credentials.secretAccessKey()).hasSize(40);
        assertThat(credentials.sessionToken()).isNotEmpty();
        assertThat(credentials.expiration()).isBetween(before.plusSeconds(899), Instant.now().plusSeconds(901));
        assertEquals("arn:aws:sts::000000000000:assumed-role/rcm-dev-credential-broker-tenant/rcm-tenant-a",
                response.assumedRoleUser().arn());
        assertThat(response.assumedRoleUser().assumedRoleId()).endsWith(":rcm-tenant-a");
        assertEquals(1, endpoint.calls(LocalAwsEndpoint.ASSUME_ROLE));
    }

    @Test
    void sessionReadsAndWritesItsOwnTenantsNamesOnBothServices() {
        AwsRequestOverrideConfiguration tenantA = signedWith(assume("tenant-a").join().credentials());

        ssm.putParameter(r -> r.overrideConfiguration(tenantA).name("/rcm/dev/tenant-a/p").value("v")
                .type(ParameterType.SECURE_STRING)).join();
        String arn = secrets.createSecret(r -> r.overrideConfiguration(tenantA).name("rcm/dev/tenant-a/p")
                .secretString("s")).join().arn();

        assertEquals("v", ssm.getParameter(r -> r.overrideConfiguration(tenantA).name("/rcm/dev/tenant-a/p:1")
                .withDecryption(true)).join().parameter().value());
        assertEquals("s", secrets.getSecretValue(r -> r.overrideConfiguration(tenantA).secretId(arn)).join().secretString());
    }

    @Test
    void sessionIsDeniedAnotherTenantsNamesByNameAndByArn() {
        ssm.putParameter(r -> r.name("/rcm/dev/tenant-b/p").value("v").type(ParameterType.SECURE_STRING)).join();
        String arn = secrets.createSecret(r -> r.name("rcm/dev/tenant-b/p").secretString("s")).join().arn();
        AwsRequestOverrideConfiguration tenantA = signedWith(assume("tenant-a").join().credentials());

        AwsServiceException ssmDenied = failure(ssm.getParameter(r -> r.overrideConfiguration(tenantA)
                .name("/rcm/dev/tenant-b/p")));
        AwsServiceException ssmArnDenied = failure(ssm.getParameter(r -> r.overrideConfiguration(tenantA)
                .name("arn:aws:ssm:us-east-1:000000000000:parameter/rcm/dev/tenant-b/p")));
        AwsServiceException smDenied = failure(secrets.getSecretValue(r -> r.overrideConfiguration(tenantA).secretId(arn)));
        AwsServiceException createDenied = failure(secrets.createSecret(r -> r.overrideConfiguration(tenantA)
                .name("rcm/dev/tenant-b/q").secretString("s")));

        for (AwsServiceException denied : new AwsServiceException[] {ssmDenied, ssmArnDenied, smDenied, createDenied}) {
            assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
            assertEquals(400, denied.statusCode());
            assertThat(denied.getMessage()).doesNotContain("tenant-b").doesNotContain("arn:");
        }
        // a tenant whose name starts like another's is another tenant
        assertEquals("AccessDeniedException", errorCode(ssm.getParameter(r -> r.overrideConfiguration(tenantA)
                .name("/rcm/dev/tenant-ab/p"))));
    }

    @Test
    void sessionWithoutTheTenantTagMayNameNothing() {
        Credentials untagged = sts.assumeRole(r -> r.roleArn(ROLE).roleSessionName("untagged")).join().credentials();

        assertEquals("AccessDeniedException", errorCode(ssm.getParameter(r -> r.overrideConfiguration(signedWith(untagged))
                .name("/rcm/dev/tenant-a/p"))));
    }

    @Test
    void unknownTemporaryKeysAndWrongTokensAreUnrecognised() {
        Credentials issued = assume("tenant-a").join().credentials();

        assertEquals("UnrecognizedClientException", errorCode(ssm.getParameter(r -> r
                .overrideConfiguration(signedWith("ASIAUNKNOWNKEY000000", "token")).name("/rcm/dev/tenant-a/p"))));
        assertEquals("UnrecognizedClientException", errorCode(ssm.getParameter(r -> r
                .overrideConfiguration(signedWith(issued.accessKeyId(), "another-token")).name("/rcm/dev/tenant-a/p"))));
    }

    @Test
    void expiredSessionsAreRefusedWithExpiredToken() {
        AwsRequestOverrideConfiguration tenantA = signedWith(assume("tenant-a").join().credentials());
        ssm.putParameter(r -> r.overrideConfiguration(tenantA).name("/rcm/dev/tenant-a/p").value("v")
                .type(ParameterType.SECURE_STRING)).join();

        endpoint.expireSessions();

        assertEquals("ExpiredTokenException", errorCode(ssm.getParameter(r -> r.overrideConfiguration(tenantA)
                .name("/rcm/dev/tenant-a/p"))));
        assertEquals("ExpiredTokenException", errorCode(secrets.describeSecret(r -> r.overrideConfiguration(tenantA)
                .secretId("rcm/dev/tenant-a/p"))));
    }

    @Test
    void staticKeysKeepFullAccess() {
        ssm.putParameter(r -> r.name("/rcm/dev/tenant-b/p").value("v").type(ParameterType.SECURE_STRING)).join();

        assertEquals("v", ssm.getParameter(r -> r.name("/rcm/dev/tenant-b/p").withDecryption(true)).join().parameter().value());
    }

    @Test
    void injectedFaultsAnswerInStsTerms() {
        endpoint.faults().throttleNext(LocalAwsEndpoint.ASSUME_ROLE, 1).failNext(LocalAwsEndpoint.ASSUME_ROLE, 1)
                .denyNext(LocalAwsEndpoint.ASSUME_ROLE, 1).errorNext(LocalAwsEndpoint.ASSUME_ROLE, 1, "RegionDisabledException");

        AwsServiceException throttled = failure(assume("tenant-a"));
        AwsServiceException failed = failure(assume("tenant-a"));
        AwsServiceException denied = failure(assume("tenant-a"));
        AwsServiceException regionDisabled = failure(assume("tenant-a"));

        assertEquals("Throttling", throttled.awsErrorDetails().errorCode());
        assertTrue(throttled.isThrottlingException());
        assertEquals(500, failed.statusCode());
        assertEquals("InternalFailure", failed.awsErrorDetails().errorCode());
        assertEquals(403, denied.statusCode());
        assertEquals("AccessDenied", denied.awsErrorDetails().errorCode());
        assertEquals("RegionDisabledException", regionDisabled.awsErrorDetails().errorCode());
        assertEquals(4, endpoint.calls(LocalAwsEndpoint.ASSUME_ROLE));
        assertThat(assume("tenant-a").join().credentials().accessKeyId()).startsWith("ASIA");
    }

    @Test
    void malformedRequestsAreValidationErrors() {
        Function<CompletableFuture<?>, String> code = LocalAwsTestBase::errorCode;

        assertEquals("ValidationError", code.apply(sts.assumeRole(r -> r.roleArn(ROLE).roleSessionName("s")
                .durationSeconds(899))));
        assertEquals("ValidationError", code.apply(sts.assumeRole(r -> r.roleArn(ROLE).roleSessionName("s")
                .durationSeconds(43_201))));
        assertEquals("ValidationError", code.apply(sts.assumeRole(r -> r.roleArn("arn:aws:iam::1:user/u")
                .roleSessionName("session"))));
        assertEquals("ValidationError", code.apply(sts.assumeRole(r -> r.roleArn(ROLE).roleSessionName("x"))));
        assertEquals(Duration.ofHours(1), Duration.between(Instant.now(),
                sts.assumeRole(r -> r.roleArn(ROLE).roleSessionName("default")).join().credentials().expiration())
                .plusSeconds(30).truncatedTo(java.time.temporal.ChronoUnit.HOURS));
    }
}
