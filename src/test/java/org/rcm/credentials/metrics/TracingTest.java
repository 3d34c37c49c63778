package org.rcm.credentials.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;
import org.rcm.credentials.local.LocalServices;
import org.rcm.credentials.local.aws.LocalAwsControl;
import org.rcm.credentials.support.Await;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestGrpc;
import org.rcm.credentials.support.TestLog;

/**
 * Tracing turned on, spans collected in memory: a gRPC call is a server span with its AWS calls
 * and Postgres queries as children, a failed AWS call carries only its error code, the call's
 * JSON log line carries the trace id, and no span anywhere holds a secret, an ARN, a parameter
 * path or the account id.
 */
@QuarkusTest
@TestProfile(TracingTest.Tracing.class)
public class TracingTest {

    private static final String STORE = "rcm.credentials.v1.CredentialService/StoreCredentials";
    private static final String GET = "rcm.credentials.v1.CredentialService/GetCredentials";

    /** Tracing on, exported only to the in-memory exporter, quickly; JSON logs with the access log. */
    public static final class Tracing implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.sdk.disabled", "false",
                    "quarkus.otel.exporter.otlp.enabled", "false",
                    "quarkus.otel.bsp.schedule.delay", "20ms",
                    "quarkus.log.file.json.enabled", "true",
                    "quarkus.log.category.\"org.rcm.credentials.access\".level", "DEBUG");
        }
    }

    @Inject
    InMemorySpanExporter spans;

    private final LocalAwsControl aws = new LocalAwsControl(TestEnvironment.awsUri());
    private final String tenant = "tracing-" + TestLog.token();
    private final Channel admin = TestGrpc.channel(tenant, "admin");

    @AfterEach
    void resetFaults() {
        aws.resetFaults();
    }

    @Test
    void aCallIsOneTraceWithItsAwsCallsAndQueriesAndNoSecretReference() throws Exception {
        String portal = "p-" + TestLog.token();
        String password = "pw-" + TestLog.token();
        Broker.register(admin, portal, "");
        TestLog.Window window = TestLog.open();
        Broker.credentials(admin).storeCredentials(StoreCredentialsRequest.newBuilder().setPortalId(portal)
                .setCredentials(Broker.credentialsWith(password)).build());
        aws.denyNext("AmazonSSM.GetParameter", 1);
        assertThrows(StatusRuntimeException.class, () -> Broker.credentials(TestGrpc.channel(tenant, "worker"))
                .getCredentials(GetCredentialsRequest.newBuilder().setPortalId(portal).build()));

        SpanData store = awaitSpan(STORE);
        SpanData get = awaitSpan(GET);
        assertThat(store.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(get.getAttributes().get(AttributeKey.longKey("rpc.grpc.status_code"))).isNotZero();
        Await.until(Duration.ofSeconds(10), () -> child(store, "Ssm.PutParameter").isPresent()
                && child(get, "Ssm.GetParameter").isPresent());
        SpanData put = child(store, "Ssm.PutParameter").orElseThrow();
        assertThat(put.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(put.getAttributes().get(AttributeKey.stringKey("rpc.service"))).isEqualTo("Ssm");
        SpanData denied = child(get, "Ssm.GetParameter").orElseThrow();
        assertThat(denied.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(denied.getStatus().getDescription()).isEqualTo("AccessDeniedException");
        assertThat(spans.getFinishedSpanItems()).anySatisfy(query -> {
            assertThat(query.getParentSpanId()).isEqualTo(store.getSpanId());
            assertThat(query.getAttributes().asMap().keySet()).anySatisfy(key -> assertThat(key.getKey()).startsWith("db."));
        });

        String logged = window.close();
        assertThat(TestLog.jsonLines(logged)).anySatisfy(line -> {
            assertThat(line.path("mdc").path("rpc").asText()).isEqualTo(GET);
            assertThat(line.path("mdc").path("traceId").asText()).isEqualTo(get.getTraceId());
        });
        TestLog.assertNoSecretReference(everythingIn(spans.getFinishedSpanItems()), List.of(password,
                "/" + TestEnvironment.ENVIRONMENT + "/" + tenant, TestEnvironment.ENVIRONMENT + "/" + tenant + "/",
                LocalServices.ACCOUNT_ID));
    }

    /** The call's server span: this test is the only caller of its application. */
    private SpanData awaitSpan(String name) throws Exception {
        Await.until(Duration.ofSeconds(10), () -> spans.getFinishedSpanItems().stream()
                .anyMatch(span -> span.getName().equals(name)));
        List<SpanData> named = spans.getFinishedSpanItems().stream().filter(span -> span.getName().equals(name)).toList();
        assertThat(named).hasSize(1);
        return named.get(0);
    }

    private Optional<SpanData> child(SpanData parent, String name) {
        return spans.getFinishedSpanItems().stream()
                .filter(span -> span.getName().equals(name) && span.getParentSpanId().equals(parent.getSpanId()))
                .findFirst();
    }

    /** Whatever of the spans a reader could see: names, attributes, events, status and resource. */
    private static String everythingIn(List<SpanData> all) {
        StringBuilder text = new StringBuilder();
        for (SpanData span : all) {
            text.append(span.getName()).append(' ').append(span.getAttributes()).append(' ')
                    .append(span.getStatus().getDescription()).append(' ').append(span.getEvents())
                    .append(' ').append(span.getResource().getAttributes()).append('\n');
        }
        return text.toString();
    }

}
