package org.rcm.credentials.local.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * How one call is written on the wire: AWS JSON 1.1 (SSM, Secrets Manager: the operation in
 * {@code X-Amz-Target}, JSON both ways) or the Query protocol (STS: a form naming its
 * {@code Action}, answered in XML, {@link QueryProtocol}).
 */
interface Wire {

    /** The call's target in counts and faults, e.g. {@code AmazonSSM.GetParameter}. */
    String target();

    /** The request's members; a malformed body fails as AWS does ({@link AwsError}). */
    JsonInput input();

    byte[] answer(ObjectNode result, String requestId);

    byte[] error(AwsError error, String requestId);

    String contentType();

    static Wire of(Headers headers, byte[] body) {
        String target = headers.getFirst("X-Amz-Target");
        if (target == null && QueryProtocol.isQuery(headers.getFirst("Content-Type"))) {
            return new Query(QueryProtocol.form(body));
        }
        return new AwsJson(target == null ? "" : target, body);
    }

    /** AWS JSON 1.1. */
    record AwsJson(String target, byte[] body) implements Wire {
        @Override
        public JsonInput input() {
            return JsonInput.parse(body);
        }

        @Override
        public byte[] answer(ObjectNode result, String requestId) {
            return json(result);
        }

        @Override
        public byte[] error(AwsError error, String requestId) {
            return json(error.body());
        }

        @Override
        public String contentType() {
            return "application/x-amz-json-1.1";
        }

        private static byte[] json(ObjectNode document) {
            try {
                return Json.MAPPER.writeValueAsBytes(document);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** STS's Query protocol. */
    record Query(Map<String, String> form) implements Wire {
        @Override
        public String target() {
            return SecurityTokenService.PREFIX + form.getOrDefault("Action", "");
        }

        @Override
        public JsonInput input() {
            return QueryProtocol.input(form);
        }

        @Override
        public byte[] answer(ObjectNode result, String requestId) {
            return QueryProtocol.response(form.getOrDefault("Action", ""), result, requestId).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] error(AwsError error, String requestId) {
            return QueryProtocol.error(error, requestId).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String contentType() {
            return QueryProtocol.CONTENT_TYPE;
        }
    }
}
