package org.rcm.credentials.secretstore;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import org.rcm.credentials.config.BrokerConfig;
import software.amazon.awssdk.awscore.AwsClient;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerAsyncClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerAsyncClientBuilder;
import software.amazon.awssdk.services.ssm.SsmAsyncClient;
import software.amazon.awssdk.services.ssm.SsmAsyncClientBuilder;
import software.amazon.awssdk.services.sts.StsAsyncClient;
import software.amazon.awssdk.services.sts.StsAsyncClientBuilder;

/**
 * The AWS async clients, built by Quarkus (region, credentials, Netty, endpoint override) with
 * this service's retry policy and timeouts added: exponential backoff with full jitter, a
 * bound per attempt and a bound per call.
 */
@ApplicationScoped
class AwsClientProducer {

    @Produces
    @ApplicationScoped
    SsmAsyncClient ssm(SsmAsyncClientBuilder builder, BrokerConfig config) {
        return builder.overrideConfiguration(tuned(builder.overrideConfiguration(), config.aws())).build();
    }

    @Produces
    @ApplicationScoped
    SecretsManagerAsyncClient secretsManager(SecretsManagerAsyncClientBuilder builder, BrokerConfig config) {
        return builder.overrideConfiguration(tuned(builder.overrideConfiguration(), config.aws())).build();
    }

    /**
     * STS, for the tenant sessions ({@link TenantSessions}): the same retry policy and timeouts,
     * signed with the credentials Quarkus resolved for SSM (the service's own role). Built at
     * its first use, so never without a tenant role.
     */
    @Produces
    @ApplicationScoped
    StsAsyncClient sts(SsmAsyncClient ssm, BrokerConfig config, TenantRoleConfig tenantRole) {
        StsAsyncClientBuilder builder = StsAsyncClient.builder()
                .region(Region.of(config.aws().region()))
                .credentialsProvider(credentialsOf(ssm))
                .httpClientBuilder(NettyNioAsyncHttpClient.builder())
                .overrideConfiguration(tuned(ClientOverrideConfiguration.builder().build(), config.aws()));
        tenantRole.stsEndpointOverride().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /** The credentials a client signs with. */
    private static IdentityProvider<? extends AwsCredentialsIdentity> credentialsOf(AwsClient client) {
        return client.serviceClientConfiguration().credentialsProvider();
    }

    void close(@Disposes StsAsyncClient sts) {
        sts.close();
    }

    /**
     * Quarkus' client settings with this service's retry policy (a retry budget of its own) and
     * timeouts, and {@link RejectedSessions}.
     */
    static ClientOverrideConfiguration tuned(ClientOverrideConfiguration quarkusDefaults, BrokerConfig.Aws aws) {
        BackoffStrategy backoff = BackoffStrategy.exponentialDelay(aws.retryBaseDelay(), aws.retryMaxDelay());
        return quarkusDefaults.toBuilder()
                .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(aws.maxAttempts())
                        .backoffStrategy(backoff)
                        .throttlingBackoffStrategy(backoff)
                        .retryOnException(AwsCalls::isTooManyUpdates)
                        .build())
                .apiCallAttemptTimeout(aws.attemptTimeout())
                .apiCallTimeout(aws.callTimeout())
                .addExecutionInterceptor(new RejectedSessions())
                .build();
    }
}
