package org.rcm.credentials.local.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.time.Duration;

/**
 * The plain-JSON control API under {@code /_local/}: {@code GET calls}, {@code POST calls/reset},
 * {@code POST faults} with {@code {"target", "mode", "count", "latencyMillis", "errorCode", "resource"}}
 * (with {@code resource}: {@link Faults#onResource}),
 * {@code POST faults/reset}, {@code POST state/reset} and {@code POST sessions/expire}
 * ({@link LocalAwsEndpoint#expireSessions()}). Errors answer 400 {@code {"error": ...}}.
 */
final class ControlApi implements HttpHandler {

    private final LocalAwsEndpoint endpoint;

    ControlApi(LocalAwsEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            byte[] body = exchange.getRequestBody().readAllBytes();
            JsonNode answer = answer(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath(), body);
            byte[] bytes = Json.MAPPER.writeValueAsBytes(answer);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.has("error") ? 400 : 200, bytes.length);
            exchange.getResponseBody().write(bytes);
        } finally {
            exchange.close();
        }
    }

    private JsonNode answer(String route, byte[] body) {
        try {
            switch (route) {
                case "GET /_local/calls" -> {
                    return Json.MAPPER.valueToTree(endpoint.calls());
                }
                case "POST /_local/calls/reset" -> endpoint.resetCalls();
                case "POST /_local/faults" -> addFault(Json.MAPPER.readTree(body));
                case "POST /_local/faults/reset" -> endpoint.faults().reset();
                case "POST /_local/state/reset" -> endpoint.clearState();
                case "POST /_local/sessions/expire" -> endpoint.expireSessions();
                default -> throw new IllegalArgumentException("no such route: " + route);
            }
            return Json.object();
        } catch (IOException | RuntimeException e) {
            return Json.object().put("error", e.getMessage());
        }
    }

    private void addFault(JsonNode request) {
        String target = request.path("target").asText(Faults.ALL);
        int count = request.path("count").asInt(1);
        Faults faults = endpoint.faults();
        if (request.hasNonNull("resource")) {
            faults.onResource(target, request.get("resource").asText(), request.path("mode").asText(), count);
            return;
        }
        switch (request.path("mode").asText()) {
            case "pass" -> faults.passNext(target, count);
            case "throttle" -> faults.throttleNext(target, count);
            case "fail" -> faults.failNext(target, count);
            case "fail-after-apply" -> faults.failAfterApplyNext(target, count);
            case "deny" -> faults.denyNext(target, count);
            case "error" -> faults.errorNext(target, count, request.path("errorCode").asText(null));
            case "latency" -> faults.latency(target, Duration.ofMillis(request.path("latencyMillis").asLong()));
            default -> throw new IllegalArgumentException("mode must be pass, throttle, fail, fail-after-apply, deny, error or latency");
        }
    }
}
