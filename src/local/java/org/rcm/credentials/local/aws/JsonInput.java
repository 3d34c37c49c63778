package org.rcm.credentials.local.aws;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;

/**
 * Typed access to the members of one request document. A missing required member answers
 * {@code ValidationException}; a member of the wrong JSON type {@code SerializationException}.
 */
final class JsonInput {

    private final JsonNode body;

    private JsonInput(JsonNode body) {
        this.body = body;
    }

    /** Parses a request body; an empty body is an empty document. */
    static JsonInput parse(byte[] body) {
        try {
            JsonNode node = body.length == 0 ? Json.object() : Json.MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw AwsError.client("SerializationException", "The request body must be a JSON object.");
            }
            return new JsonInput(node);
        } catch (IOException e) {
            throw AwsError.client("SerializationException", "The request body is not valid JSON.");
        }
    }

    /** A document built here, e.g. from a Query protocol form. */
    static JsonInput of(JsonNode document) {
        return new JsonInput(document);
    }

    Optional<String> text(String member) {
        return member(member, JsonNode::isTextual).map(JsonNode::textValue);
    }

    String requiredText(String member) {
        return text(member).orElseThrow(() -> AwsError.validation("1 validation error detected: Value null at '"
                + Character.toLowerCase(member.charAt(0)) + member.substring(1)
                + "' failed to satisfy constraint: Member must not be null"));
    }

    Optional<Long> number(String member) {
        return member(member, node -> node.isIntegralNumber() && node.canConvertToLong()).map(JsonNode::longValue);
    }

    boolean flag(String member) {
        return member(member, JsonNode::isBoolean).map(JsonNode::booleanValue).orElse(false);
    }

    /** The strings of a list member; empty when the member is absent. */
    List<String> texts(String member) {
        return member(member, node -> node.isArray() && StreamSupport.stream(node.spliterator(), false)
                .allMatch(JsonNode::isTextual))
                .map(node -> StreamSupport.stream(node.spliterator(), false).map(JsonNode::textValue).toList())
                .orElse(List.of());
    }

    private Optional<JsonNode> member(String member, Predicate<JsonNode> expectedType) {
        Optional<JsonNode> node = Optional.ofNullable(body.get(member)).filter(value -> !value.isNull());
        if (node.isPresent() && !expectedType.test(node.get())) {
            throw AwsError.client("SerializationException", "Unexpected JSON type for member " + member + ".");
        }
        return node;
    }
}
