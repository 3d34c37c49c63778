package org.rcm.credentials.local.aws;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * Drives a {@link LocalAwsEndpoint} in another process through its {@code /_local/} control API:
 * call counts, faults (as in {@link Faults}) and state. Failures are unchecked exceptions.
 */
public final class LocalAwsControl {

    private static final TypeReference<Map<String, Long>> CALLS = new TypeReference<>() { };

    private final URI endpoint;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** {@code endpoint} is the endpoint's base URI, e.g. {@code http://127.0.0.1:4566}. */
    public LocalAwsControl(URI endpoint) {
        this.endpoint = endpoint;
    }

    /** The call count of every target called since the last reset. */
    public Map<String, Long> calls() {
        try {
            return Json.MAPPER.readValue(send("GET", "calls", null), CALLS);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable call counts from the local AWS endpoint", e);
        }
    }

    /**
     * How many calls reached {@code target}, e.g. {@code AmazonSSM.GetParameter} or
     * {@link LocalAwsEndpoint#ASSUME_ROLE}.
     */
    public long calls(String target) {
        return calls().getOrDefault(target, 0L);
    }

    public void resetCalls() {
        send("POST", "calls/reset", Json.object());
    }

    /** As {@link Faults#throttleNext(String, int)}. */
    public void throttleNext(String target, int count) {
        addFault(target, "throttle", count, 0);
    }

    /** As {@link Faults#passNext(String, int)}. */
    public void passNext(String target, int count) {
        addFault(target, "pass", count, 0);
    }

    /** As {@link Faults#failNext(String, int)}. */
    public void failNext(String target, int count) {
        addFault(target, "fail", count, 0);
    }

    /** As {@link Faults#failAfterApplyNext(String, int)}. */
    public void failAfterApplyNext(String target, int count) {
        addFault(target, "fail-after-apply", count, 0);
    }

    /** As {@link Faults#denyNext(String, int)}. */
    public void denyNext(String target, int count) {
        addFault(target, "deny", count, 0);
    }

    /** As {@link Faults#errorNext(String, int, String)}. */
    public void errorNext(String target, int count, String errorCode) {
        send("POST", "faults", Json.object()
                .put("target", target)
                .put("mode", "error")
                .put("count", count)
                .put("errorCode", errorCode));
    }

    /** As {@link Faults#onResource(String, String, String, int)}. */
    public void onResource(String target, String resource, String mode, int count) {
        send("POST", "faults", Json.object()
                .put("target", target)
                .put("resource", resource)
                .put("mode", mode)
                .put("count", count));
    }

    /** As {@link Faults#latency(Duration)}. */
    public void latency(Duration latency) {
        latency(Faults.ALL, latency);
    }

    /** As {@link Faults#latency(String, Duration)}. */
    public void latency(String target, Duration latency) {
        addFault(target, "latency", 0, latency.toMillis());
    }

    /** As {@link Faults#reset()}. */
    public void resetFaults() {
        send("POST", "faults/reset", Json.object());
    }

    /** Removes every parameter and secret. */
    public void clearState() {
        send("POST", "state/reset", Json.object());
    }

    /** As {@link LocalAwsEndpoint#expireSessions()}. */
    public void expireSessions() {
        send("POST", "sessions/expire", Json.object());
    }

    private void addFault(String target, String mode, int count, long latencyMillis) {
        send("POST", "faults", Json.object()
                .put("target", target)
                .put("mode", mode)
                .put("count", count)
                .put("latencyMillis", latencyMillis));
    }

    private String send(String method, String route, ObjectNode body) {
        HttpRequest request = HttpRequest.newBuilder(endpoint.resolve("/_local/" + route))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("local AWS control " + route + " answered " + response.statusCode()
                        + ": " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException("local AWS control " + route + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted calling local AWS control " + route, e);
        }
    }
}
