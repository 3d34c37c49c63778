package org.rcm.credentials.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.support.Await;
import org.rcm.credentials.support.TestEnvironment;

/** Readiness on the management port follows the database. */
@QuarkusTest
class ReadinessTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void readyIsUpWithTheDatabaseAndDownWithoutIt() throws Exception {
        Await.until(Duration.ofSeconds(20), () -> ready() == 200);

        TestEnvironment.databaseProxy().cut();
        try {
            Await.until(Duration.ofSeconds(20), () -> ready() == 503);
        } finally {
            TestEnvironment.databaseProxy().restore();
        }

        Await.until(Duration.ofSeconds(20), () -> ready() == 200);
    }

    @Test
    void livenessAndMetricsAreServedOnTheManagementPort() throws Exception {
        assertThat(get("/q/health/live").statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = get("/q/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("jvm_memory_used_bytes");
    }

    private int ready() throws IOException, InterruptedException {
        return get("/q/health/ready").statusCode();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        int port = ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
