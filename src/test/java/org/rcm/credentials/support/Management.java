package org.rcm.credentials.support;

import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import org.eclipse.microprofile.config.ConfigProvider;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.local.MetricsText;

/** The management port of the broker under a {@code @QuarkusTest}: health and metrics. */
public final class Management {

    /** HTTP/1.1: the management interface is plain HTTP, where an HTTP/2 upgrade attempt only adds a round trip. */
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Management() {
    }

    public static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return get(ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class), path);
    }

    /** A request that does not answer within 10 s fails, so that a poll can try again. */
    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The system property that holds the management port of the packaged application under a {@code *IT}. */
    static final String PACKAGED_PORT = "brokertest.packaged.management.port";

    /** {@code /q/metrics} of the packaged application under a {@code @QuarkusIntegrationTest}. */
    public static String packagedMetrics() throws IOException, InterruptedException {
        return metrics(Integer.getInteger(PACKAGED_PORT));
    }

    /** {@code /q/metrics} of the broker whose management interface listens on {@code port}. */
    public static String metrics(int port) throws IOException, InterruptedException {
        return get(port, "/q/metrics").body();
    }

    /**
     * Waits until the broker is ready. Tests that warm a cache and then cut the database call
     * it first: after an earlier cut, the invalidation listener reconnects on its own schedule
     * and drops every cache, which must not land between the warm-up and the cut.
     */
    public static void awaitReady() throws Exception {
        Await.until(Duration.ofSeconds(20), () -> get("/q/health/ready").statusCode() == 200);
    }

    /**
     * The sample names of /q/metrics, after one audited gRPC call (the gRPC server's meters and
     * the audit writer's exist from the first).
     */
    public static Set<String> metricNames() throws Exception {
        try {
            Broker.credentials(TestGrpc.channel("metrics-probe", "worker"))
                    .getCredentials(GetCredentialsRequest.newBuilder().setPortalId("no-such-portal").build());
        } catch (StatusRuntimeException expected) {
            // NOT_FOUND, audited
        }
        return MetricsText.names(MetricsText.parse(get("/q/metrics").body()));
    }
}
