package org.rcm.credentials.secretstore;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A portal login as the secret store keeps it: the JSON document
 * {@code {"username","password","mfa_seed","metadata":{...}}}.
 *
 * <p>Its {@link #toString()} is redacted, so a value that reaches a log line or an exception
 * message shows nothing. It is never written to Postgres.
 */
public final class SecretValue {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String username;
    private final String password;
    private final String mfaSeed;
    private final Map<String, String> metadata;

    public SecretValue(String username, String password, String mfaSeed, Map<String, String> metadata) {
        this.username = Objects.requireNonNullElse(username, "");
        this.password = Objects.requireNonNullElse(password, "");
        this.mfaSeed = Objects.requireNonNullElse(mfaSeed, "");
        this.metadata = Map.copyOf(Objects.requireNonNullElse(metadata, Map.of()));
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    public String mfaSeed() {
        return mfaSeed;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** The same login with another password. */
    public SecretValue withPassword(String newPassword) {
        return new SecretValue(username, newPassword, mfaSeed, metadata);
    }

    /** The store's JSON form; metadata keys are sorted so equal values serialise equally. */
    public String toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("username", username);
        node.put("password", password);
        node.put("mfa_seed", mfaSeed);
        ObjectNode meta = node.putObject("metadata");
        new TreeMap<>(metadata).forEach(meta::put);
        return node.toString();
    }

    /**
     * Reads the store's JSON form, and the legacy {@code config.credentials} object, which has
     * the same fields. Unknown fields are ignored; metadata values that are not strings are
     * kept as their JSON text.
     *
     * @throws IllegalArgumentException if the text is not a JSON object; the message never
     *     contains the text
     */
    public static SecretValue fromJson(String json) {
        try {
            return fromJson(JSON.readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("secret value is not valid JSON");
        }
    }

    /** Reads an already parsed JSON object; see {@link #fromJson(String)}. */
    public static SecretValue fromJson(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("secret value is not a JSON object");
        }
        Map<String, String> metadata = new TreeMap<>();
        JsonNode meta = node.path("metadata");
        if (meta.isObject()) {
            meta.fields().forEachRemaining(e -> metadata.put(e.getKey(),
                    e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
        }
        return new SecretValue(text(node, "username"), text(node, "password"), text(node, "mfa_seed"), metadata);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? "" : value.asText();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SecretValue other
                && username.equals(other.username)
                && password.equals(other.password)
                && mfaSeed.equals(other.mfaSeed)
                && metadata.equals(other.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(username, password, mfaSeed, metadata);
    }

    @Override
    public String toString() {
        return "SecretValue[***]";
    }
}
