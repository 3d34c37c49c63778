package org.rcm.credentials.local.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerAsyncClient;
import software.amazon.awssdk.services.ssm.SsmAsyncClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** Options given at start: the state file, the default latency, region and account. */
class EndpointOptionsTest {

    @TempDir
    Path directory;

    @Test
    void stateFileKeepsParametersAndSecretsAcrossARestart() throws IOException {
        Path stateFile = directory.resolve("state/aws.json");
        LocalAwsEndpoint.Options options = LocalAwsEndpoint.Options.defaults().withStateFile(stateFile);
        String arn;
        try (LocalAwsEndpoint first = LocalAwsEndpoint.start(options);
                SsmAsyncClient ssm = LocalAwsTestBase.ssmClient(first.uri(), false);
                SecretsManagerAsyncClient secrets = LocalAwsTestBase.secretsClient(first.uri(), false)) {
            ssm.putParameter(p -> p.name("/p").value("v1").type(ParameterType.SECURE_STRING)).join();
            ssm.putParameter(p -> p.name("/p").value("v2").type(ParameterType.SECURE_STRING).overwrite(true)).join();
            ssm.labelParameterVersion(l -> l.name("/p").parameterVersion(1L).labels("first")).join();
            arn = secrets.createSecret(c -> c.name("s").clientRequestToken(token(1)).secretString("one")).join().arn();
            secrets.putSecretValue(p -> p.secretId("s").clientRequestToken(token(2)).secretString("two")).join();
        }
        assertTrue(Files.exists(stateFile));

        try (LocalAwsEndpoint second = LocalAwsEndpoint.start(options);
                SsmAsyncClient ssm = LocalAwsTestBase.ssmClient(second.uri(), false);
                SecretsManagerAsyncClient secrets = LocalAwsTestBase.secretsClient(second.uri(), false)) {
            assertEquals("v1", ssm.getParameter(g -> g.name("/p:first").withDecryption(true)).join().parameter().value());
            assertEquals(3L, ssm.putParameter(p -> p.name("/p").value("v3").overwrite(true)).join().version());
            assertEquals("two", secrets.getSecretValue(g -> g.secretId(arn)).join().secretString());
            assertEquals(Map.of(token(1), List.of("AWSPREVIOUS"), token(2), List.of("AWSCURRENT")),
                    secrets.describeSecret(d -> d.secretId("s")).join().versionIdsToStages());

            second.clearState();
        }

        try (LocalAwsEndpoint third = LocalAwsEndpoint.start(options)) {
            assertTrue(third.calls().isEmpty());
            JsonNode state = Json.MAPPER.readTree(stateFile.toFile());
            assertEquals(0, state.path("AmazonSSM.").size());
            assertEquals(0, state.path("secretsmanager.").size());
        }
    }

    @Test
    void defaultLatencyAppliesToEveryCallAndSurvivesFaultReset() {
        Duration latency = Duration.ofMillis(200);
        try (LocalAwsEndpoint endpoint = LocalAwsEndpoint.start(LocalAwsEndpoint.Options.defaults().withLatency(latency))) {
            endpoint.faults().reset();

            assertEquals(latency, endpoint.faults().latencyFor("secretsmanager.GetSecretValue"));
            endpoint.faults().latency("AmazonSSM.GetParameter", Duration.ZERO);
            assertEquals(Duration.ZERO, endpoint.faults().latencyFor("AmazonSSM.GetParameter"));
        }
    }

    @Test
    void regionAndAccountAppearInArns() {
        LocalAwsEndpoint.Options options = LocalAwsEndpoint.Options.defaults()
                .withRegion("eu-west-1")
                .withAccountId("123456789012");
        try (LocalAwsEndpoint endpoint = LocalAwsEndpoint.start(options);
                SecretsManagerAsyncClient secrets = LocalAwsTestBase.secretsClient(endpoint.uri(), false)) {
            String arn = secrets.createSecret(c -> c.name("s").secretString("one")).join().arn();

            assertTrue(arn.startsWith("arn:aws:secretsmanager:eu-west-1:123456789012:secret:s-"), arn);
            assertEquals("127.0.0.1", endpoint.uri().getHost());
            assertEquals(endpoint.port(), endpoint.uri().getPort());
        }
    }

    private static String token(int n) {
        return "00000000-0000-0000-0000-00000000000" + n;
    }
}
