package org.rcm.credentials.support;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The real AWS SDK pointed at the tests' local endpoint, as an operator uses it: changes made
 * to the secret stores directly, not through the broker. Close the clients after use.
 */
public final class OperatorAws {

    private static final StaticCredentialsProvider OPERATOR =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("operator", "operator"));

    private OperatorAws() {
    }

    public static SsmClient ssm() {
        return SsmClient.builder().endpointOverride(TestEnvironment.awsUri()).region(Region.US_EAST_1)
                .credentialsProvider(OPERATOR).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    public static SecretsManagerClient secretsManager() {
        return SecretsManagerClient.builder().endpointOverride(TestEnvironment.awsUri()).region(Region.US_EAST_1)
                .credentialsProvider(OPERATOR).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    /** The parameter name of an SSM parameter's ARN: {@code /rcm/dev/tenant/portal}. */
    public static String parameterName(String arn) {
        return arn.substring(arn.indexOf(":parameter") + ":parameter".length());
    }
}
