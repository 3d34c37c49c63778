package org.rcm.credentials.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.CredentialServiceGrpc.CredentialServiceBlockingStub;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;
import org.rcm.credentials.local.LocalServices;
import org.rcm.credentials.local.aws.LocalAwsControl;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestGrpc;
import org.rcm.credentials.support.TestLog;

/**
 * Production's JSON log lines (here the test log file in JSON): every line parses, each call's
 * line carries its request id, tenant, RPC, outcome and latency as fields, and no line of the
 * fault paths (a missing portal, a store that fails, a read the store denies) holds an ARN, the
 * parameter path, the account id or the secret.
 */
@QuarkusTest
@TestProfile(JsonLogsTest.JsonFileLog.class)
class JsonLogsTest {

    /** The test profile, with the DEBUG log file in JSON and the full access log. */
    public static final class JsonFileLog implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.log.file.json.enabled", "true",
                    "quarkus.log.category.\"org.rcm.credentials.access\".level", "DEBUG");
        }
    }

    private final LocalAwsControl aws = new LocalAwsControl(TestEnvironment.awsUri());
    private final String tenant = "jsonlogs-" + TestLog.token();
    private final Channel admin = TestGrpc.channel(tenant, "admin");

    @AfterEach
    void resetFaults() {
        aws.resetFaults();
    }

    @Test
    void everyLineIsJsonAndNoFaultPathLogsASecretReference() throws Exception {
        String password = "pw-" + TestLog.token();
        String portal = "p-" + TestLog.token();
        String requestId = "req-" + UUID.randomUUID();
        TestLog.Window window = TestLog.open();

        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class, () -> withRequestId(requestId)
                .getCredentials(GetCredentialsRequest.newBuilder().setPortalId("no-such-portal").build()));
        Broker.register(admin, portal, "");
        aws.failNext("AmazonSSM.PutParameter", 10);
        assertThrows(StatusRuntimeException.class, () -> store(portal, password));
        aws.resetFaults();
        store(portal, password);
        aws.denyNext("AmazonSSM.GetParameter", 1);
        assertThrows(StatusRuntimeException.class, () -> Broker.credentials(admin)
                .getCredentials(GetCredentialsRequest.newBuilder().setPortalId(portal).build()));
        String logged = window.close();

        List<JsonNode> lines = TestLog.jsonLines(logged);
        assertThat(missing.getStatus().getCode().name()).isEqualTo("NOT_FOUND");
        assertThat(lines).anySatisfy(line -> {
            JsonNode mdc = line.path("mdc");
            assertThat(mdc.path("request_id").asText()).isEqualTo(requestId);
            assertThat(mdc.path("tenant").asText()).isEqualTo(tenant);
            assertThat(mdc.path("rpc").asText()).isEqualTo("rcm.credentials.v1.CredentialService/GetCredentials");
            assertThat(mdc.path("outcome").asText()).isEqualTo("NOT_FOUND");
            assertThat(Double.parseDouble(mdc.path("latency_ms").asText())).isPositive();
            assertThat(line.path("level").asText()).isEqualTo("INFO");
        });
        assertThat(lines).anySatisfy(line -> assertThat(line.path("mdc").path("outcome").asText()).isEqualTo("UNAVAILABLE"));
        // a failure is logged once, on its call's line: not again, with a stack trace, by the cache that loaded it
        assertThat(lines).noneSatisfy(line -> assertThat(line.path("loggerName").asText()).startsWith("com.github.benmanes.caffeine"));
        assertThat(lines).anySatisfy(line -> assertThat(line.path("mdc").path("outcome").asText()).isEqualTo("OK"));
        TestLog.assertNoSecretReference(logged, List.of(password, "/" + TestEnvironment.ENVIRONMENT + "/" + tenant,
                LocalServices.ACCOUNT_ID));
    }

    private CredentialServiceBlockingStub withRequestId(String requestId) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER), requestId);
        return Broker.credentials(TestGrpc.channel(tenant, "worker"))
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private void store(String portal, String password) {
        Broker.credentials(admin).storeCredentials(StoreCredentialsRequest.newBuilder().setPortalId(portal)
                .setCredentials(Broker.credentialsWith(password)).build());
    }
}
