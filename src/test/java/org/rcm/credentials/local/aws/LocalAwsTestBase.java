package org.rcm.credentials.local.aws;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerAsyncClient;
import software.amazon.awssdk.services.ssm.SsmAsyncClient;

/**
 * Starts one {@link LocalAwsEndpoint} per test class with real SDK async clients pointed at
 * it, and empties it (state, faults, call counts) before each test. The clients do not retry,
 * so every injected fault reaches the test. (Clients live per class because closing a Netty
 * client waits about two seconds for its event loops.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LocalAwsTestBase {

    static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));

    LocalAwsEndpoint endpoint;
    SsmAsyncClient ssm;
    SecretsManagerAsyncClient secrets;

    @BeforeAll
    void startEndpoint() {
        endpoint = LocalAwsEndpoint.start(options());
        ssm = ssmClient(endpoint.uri(), false);
        secrets = secretsClient(endpoint.uri(), false);
    }

    @BeforeEach
    void emptyEndpoint() {
        endpoint.clearState();
        endpoint.faults().reset();
        endpoint.resetCalls();
    }

    @AfterAll
    void stopEndpoint() {
        ssm.close();
        secrets.close();
        endpoint.close();
    }

    LocalAwsEndpoint.Options options() {
        return LocalAwsEndpoint.Options.defaults();
    }

    static SsmAsyncClient ssmClient(URI uri, boolean defaultRetries) {
        return SsmAsyncClient.builder()
                .endpointOverride(uri)
                .region(Region.US_EAST_1)
                .credentialsProvider(CREDENTIALS)
                .httpClientBuilder(NettyNioAsyncHttpClient.builder())
                .overrideConfiguration(o -> {
                    if (!defaultRetries) {
                        o.retryStrategy(AwsRetryStrategy.doNotRetry());
                    }
                })
                .build();
    }

    static SecretsManagerAsyncClient secretsClient(URI uri, boolean defaultRetries) {
        return SecretsManagerAsyncClient.builder()
                .endpointOverride(uri)
                .region(Region.US_EAST_1)
                .credentialsProvider(CREDENTIALS)
                .httpClientBuilder(NettyNioAsyncHttpClient.builder())
                .overrideConfiguration(o -> {
                    if (!defaultRetries) {
                        o.retryStrategy(AwsRetryStrategy.doNotRetry());
                    }
                })
                .build();
    }

    /** Waits for a call that must fail and returns the SDK's service exception. */
    static AwsServiceException failure(CompletableFuture<?> call) {
        CompletionException thrown = assertThrows(CompletionException.class, call::join);
        return assertInstanceOf(AwsServiceException.class, thrown.getCause());
    }

    static String errorCode(CompletableFuture<?> call) {
        return failure(call).awsErrorDetails().errorCode();
    }
}
