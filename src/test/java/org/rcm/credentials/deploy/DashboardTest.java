package org.rcm.credentials.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Management;
import org.rcm.credentials.support.TestGrpc;
import org.rcm.credentials.support.TestLog;

/**
 * The Grafana dashboard (k8s/dashboards/credential-broker.json) only plots what exists: every
 * metric its expressions name is exported at /q/metrics by the broker under test, or recorded
 * by a rule of k8s/base/prometheusrule.yaml.
 */
@QuarkusTest
class DashboardTest {

    private static final Path DASHBOARD = Path.of("k8s/dashboards/credential-broker.json");
    /** The metric names an expression can use: the service's own, and the binders' it plots. */
    private static final Pattern METRIC = Pattern.compile("\\b((?:rcm|grpc_server|sql_pool)_[a-z0-9_]+|[a-z]+:[a-z0-9_:]+)\\b");
    /** Registered on their first event only: one series per tenant that had a burst. */
    private static final Set<String> LABELLED_BY_EVENTS = Set.of("rcm_failure_bursts_total");

    @Test
    void everyExpressionNamesAnExportedMetric() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> expressions = new ArrayList<>();
        dashboard.path("panels").forEach(panel -> panel.path("targets").forEach(t -> expressions.add(t.path("expr").asText())));
        dashboard.path("templating").path("list").forEach(variable -> expressions.add(variable.path("query").asText()));
        Set<String> named = new TreeSet<>();
        expressions.forEach(expr -> {
            Matcher m = METRIC.matcher(expr);
            while (m.find()) {
                named.add(m.group(1));
            }
        });
        Set<String> available = Management.metricNames();
        available.addAll(recorded());
        available.addAll(LABELLED_BY_EVENTS);

        assertThat(expressions).hasSizeGreaterThanOrEqualTo(14);
        assertThat(named).contains("rcm_cache_lookups_total", "rcm_secret_fetch_total", "rcm_audit_queue_depth",
                "rcm_rotation_total", "rcm_access_unexpected_ip_total", "grpc_server_processing_duration_seconds_count");
        assertThat(available).containsAll(named);
    }

    /**
     * A call is counted once, as gRPC, never as HTTP; and the SQL pool's metrics stay exported
     * (Quarkus' OpenTelemetry extension replaces Micrometer's Vert.x metrics when the HTTP
     * binder is off, which is why it is on with every path ignored).
     */
    @Test
    void callsAreCountedAsGrpcOnlyAndThePoolMetricsStay() throws Exception {
        assertThrows(StatusRuntimeException.class, () -> Broker.credentials(TestGrpc.channel("dashboard-" + TestLog.token(),
                "worker")).getCredentials(GetCredentialsRequest.newBuilder().setPortalId("no-such-portal").build()));
        Set<String> exported = Management.metricNames();
        assertThat(exported).contains("sql_pool_active", "grpc_server_processing_duration_seconds_count");
        assertThat(exported).noneMatch(name -> name.startsWith("http_server_requests"));
    }

    /** The recording rules' names. */
    private static Set<String> recorded() throws Exception {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("- record: (\\S+)").matcher(Files.readString(Path.of("k8s/base/prometheusrule.yaml")));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
