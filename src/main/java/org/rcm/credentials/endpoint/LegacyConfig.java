package org.rcm.credentials.endpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jboss.logging.Logger;
import org.rcm.credentials.secretstore.SecretValue;

/**
 * An endpoint's {@code config}: a JSON object whose {@code credentials} member, while it
 * exists, is the seed's legacy plaintext copy {@code {"username", "password", "mfa_seed",
 * "metadata": {...}}}. Checks what RegisterEndpoint may store there and reads the credentials
 * back. No message quotes the JSON.
 */
public final class LegacyConfig {

    /** Largest config accepted, in UTF-8 bytes. */
    private static final Logger LOG = Logger.getLogger(LegacyConfig.class);
    public static final int MAX_BYTES = 64 * 1024;

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();
    private static final Set<String> TEXT_FIELDS = Set.of("username", "password", "mfa_seed");
    private static final String FIELDS = "username, password, mfa_seed (strings) and metadata (an object of strings)";

    private LegacyConfig() {
    }

    /**
     * The config as PostgreSQL will store it: exactly one JSON object, no duplicate keys, no
     * U+0000 and no unpaired surrogate anywhere (jsonb refuses both), and a
     * {@code credentials} member, if any, of the fields above only.
     *
     * @throws IllegalArgumentException with a message for the caller
     */
    public static String validate(String json) {
        if (json.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new IllegalArgumentException("legacy_config_json is larger than 64 KiB");
        }
        JsonNode config;
        try {
            config = STRICT.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "legacy_config_json must be exactly one JSON object, without duplicate keys or trailing data");
        }
        if (config == null || !config.isObject()) {
            throw new IllegalArgumentException("legacy_config_json must be a JSON object");
        }
        requireStorable(config);
        JsonNode credentials = config.get("credentials");
        if (credentials != null) {
            credentialsOf(credentials);
        }
        return config.toString();
    }

    /**
     * The credentials of a stored config, for the dual read: empty when there are none, or when
     * they cannot be read (logged with the endpoint's id, never their content).
     */
    public static Optional<SecretValue> readableCredentials(long endpointId, String storedConfig) {
        try {
            return credentials(storedConfig);
        } catch (IllegalArgumentException e) {
            LOG.warnf("Endpoint %d has legacy credentials that cannot be read: %s", endpointId, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * The {@code credentials} of a stored config, if it has any that are well-formed. Malformed
     * ones (written before {@link #validate} existed) are reported through the exception.
     *
     * @throws IllegalArgumentException when {@code credentials} exists but is not of the fields above
     */
    public static Optional<SecretValue> credentials(String storedConfig) {
        if (storedConfig == null || !storedConfig.contains("\"credentials\"")) {
            return Optional.empty();
        }
        JsonNode credentials;
        try {
            credentials = STRICT.readTree(storedConfig).get("credentials");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("config is not a JSON object");
        }
        return credentials == null ? Optional.empty() : Optional.of(credentialsOf(credentials));
    }

    private static SecretValue credentialsOf(JsonNode credentials) {
        if (!credentials.isObject()) {
            throw new IllegalArgumentException("legacy_config_json.credentials must be a JSON object of " + FIELDS);
        }
        Map<String, String> metadata = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = credentials.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            boolean ok = TEXT_FIELDS.contains(name) ? value.isTextual()
                    : name.equals("metadata") && value.isObject() && allTextual(value);
            if (!ok) {
                throw new IllegalArgumentException("legacy_config_json.credentials may hold only " + FIELDS);
            }
        }
        credentials.path("metadata").fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().textValue()));
        return new SecretValue(text(credentials, "username"), text(credentials, "password"),
                text(credentials, "mfa_seed"), metadata);
    }

    private static boolean allTextual(JsonNode object) {
        for (JsonNode value : object) {
            if (!value.isTextual()) {
                return false;
            }
        }
        return true;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null ? "" : value.textValue();
    }

    /** Every key and string of {@code node}, at any depth, is text that jsonb can hold. */
    private static void requireStorable(JsonNode node) {
        if (node.isTextual()) {
            requireStorable(node.textValue());
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            requireStorable(field.getKey());
            requireStorable(field.getValue());
        }
        if (node.isArray()) {
            node.forEach(LegacyConfig::requireStorable);
        }
    }

    private static void requireStorable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean unpaired = Character.isHighSurrogate(c)
                    ? i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(++i))
                    : Character.isLowSurrogate(c);
            if (c == 0 || unpaired) {
                throw new IllegalArgumentException(
                        "legacy_config_json may not contain \\u0000 or unpaired surrogates (PostgreSQL's jsonb refuses them)");
            }
        }
    }
}
