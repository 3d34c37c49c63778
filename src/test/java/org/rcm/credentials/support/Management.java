package org.rcm.credentials.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.eclipse.microprofile.config.ConfigProvider;

/** The management port of the broker under a {@code @QuarkusTest}: health and metrics. */
public final class Management {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Management() {
    }

    public static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        int port = ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Waits until the broker is ready. Tests that warm a cache and then cut the database call
     * it first: after an earlier cut, the invalidation listener reconnects on its own schedule
     * and drops every cache, which must not land between the warm-up and the cut.
     */
    public static void awaitReady() throws Exception {
        Await.until(Duration.ofSeconds(20), () -> get("/q/health/ready").statusCode() == 200);
    }
}
