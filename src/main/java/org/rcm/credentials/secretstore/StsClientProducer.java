package org.rcm.credentials.secretstore;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import org.rcm.credentials.config.BrokerConfig;
import software.amazon.awssdk.awscore.AwsClient;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmAsyncClient;
import software.amazon.awssdk.services.sts.StsAsyncClient;
import software.amazon.awssdk.services.sts.StsAsyncClientBuilder;

/**
 * The STS async client of the tenant sessions ({@link TenantSessions}): the stores' retry policy
 * and timeouts ({@link AwsClientProducer#tuned}), signed with the credentials Quarkus resolved
 * for SSM (the service's own role), with a span per call ({@link AwsTracing}). Built at its first
 * use, so never without a tenant role.
 */
@ApplicationScoped
class StsClientProducer {

    @Produces
    @ApplicationScoped
    StsAsyncClient sts(SsmAsyncClient ssm, BrokerConfig config, TenantRoleConfig tenantRole, AwsTracing tracing) {
        StsAsyncClientBuilder builder = StsAsyncClient.builder()
                .region(Region.of(config.aws().region()))
                .credentialsProvider(credentialsOf(ssm))
                .httpClientBuilder(NettyNioAsyncHttpClient.builder())
                .overrideConfiguration(AwsClientProducer.traced(
                        AwsClientProducer.tuned(ClientOverrideConfiguration.builder().build(), config.aws()), tracing));
        tenantRole.stsEndpointOverride().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    void close(@Disposes StsAsyncClient sts) {
        sts.close();
    }

    /** The credentials a client signs with. */
    private static IdentityProvider<? extends AwsCredentialsIdentity> credentialsOf(AwsClient client) {
        return client.serviceClientConfiguration().credentialsProvider();
    }
}
