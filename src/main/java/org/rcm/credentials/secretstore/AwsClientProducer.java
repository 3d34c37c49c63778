package org.rcm.credentials.secretstore;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.rcm.credentials.config.BrokerConfig;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerAsyncClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerAsyncClientBuilder;
import software.amazon.awssdk.services.ssm.SsmAsyncClient;
import software.amazon.awssdk.services.ssm.SsmAsyncClientBuilder;

/**
 * The AWS async clients, built by Quarkus (region, credentials, Netty, endpoint override) with
 * this service's retry policy and timeouts added: exponential backoff with full jitter, a
 * bound per attempt and a bound per call; and a span per call ({@link AwsTracing}).
 */
@ApplicationScoped
class AwsClientProducer {

    @Produces
    @ApplicationScoped
    SsmAsyncClient ssm(SsmAsyncClientBuilder builder, BrokerConfig config, AwsTracing tracing) {
        return builder.overrideConfiguration(traced(tuned(builder.overrideConfiguration(), config.aws()), tracing)).build();
    }

    @Produces
    @ApplicationScoped
    SecretsManagerAsyncClient secretsManager(SecretsManagerAsyncClientBuilder builder, BrokerConfig config,
            AwsTracing tracing) {
        return builder.overrideConfiguration(traced(tuned(builder.overrideConfiguration(), config.aws()), tracing)).build();
    }

    static ClientOverrideConfiguration traced(ClientOverrideConfiguration configuration, AwsTracing tracing) {
        return configuration.toBuilder().addExecutionInterceptor(tracing).build();
    }

    /** Quarkus' client settings with this service's retry policy (a retry budget of its own) and timeouts. */
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
                .addExecutionInterceptor(new RejectedSessions()) // drops a tenant session AWS refuses
                .build();
    }
}
