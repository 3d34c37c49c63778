package org.rcm.credentials.credential;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.secretstore.SecretValue;

/** What well-formed credentials look like. Messages name the field, never its value. */
public final class CredentialRules {

    static final int MAX_USERNAME = 256;
    static final int MAX_PASSWORD = 1024;
    static final int MAX_METADATA_ENTRIES = 32;
    static final int MAX_METADATA_VALUE = 1024;
    private static final Pattern BASE32 = Pattern.compile("[A-Z2-7]+=*");
    /** Shortest TOTP seed accepted: RFC 4226 section 4 requires at least 128 bits and recommends 160; 80 is the least any authenticator app issues. */
    private static final int MIN_SEED_BITS = 80;
    private static final Pattern METADATA_KEY = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1,128}");

    private CredentialRules() {
    }

    /** Credentials to store: username and password required, the rest well-formed. */
    public static SecretValue requireComplete(SecretValue value) {
        return requireComplete(value, "credentials");
    }

    /** {@link #requireComplete(SecretValue)} for credentials that the request calls {@code field}. */
    public static SecretValue requireComplete(SecretValue value, String field) {
        if (value.username().isEmpty()) {
            throw invalid("INVALID_CREDENTIALS", field + ".username is required");
        }
        if (value.password().isEmpty()) {
            throw invalid("INVALID_CREDENTIALS", field + ".password is required");
        }
        return requireWellFormed(value, field);
    }

    /** Every field that is set is well-formed; empty fields are allowed. */
    public static SecretValue requireWellFormed(SecretValue value, String field) {
        text(field + ".username", value.username(), MAX_USERNAME);
        text(field + ".password", value.password(), MAX_PASSWORD);
        if (!value.mfaSeed().isEmpty() && !BASE32.matcher(normalizedSeed(value.mfaSeed())).matches()) {
            throw invalid("INVALID_CREDENTIALS", field + ".mfa_seed is not a base32 TOTP seed");
        }
        if (!value.mfaSeed().isEmpty() && normalizedSeed(value.mfaSeed()).replace("=", "").length() * 5 < MIN_SEED_BITS) {
            throw invalid("INVALID_CREDENTIALS", field + ".mfa_seed is shorter than " + MIN_SEED_BITS
                    + " bits (16 base32 characters; RFC 4226 asks for 128)");
        }
        if (value.metadata().size() > MAX_METADATA_ENTRIES) {
            throw invalid("INVALID_CREDENTIALS", field + ".metadata has more than " + MAX_METADATA_ENTRIES + " entries");
        }
        for (Map.Entry<String, String> entry : value.metadata().entrySet()) {
            if (!METADATA_KEY.matcher(entry.getKey()).matches()) {
                throw invalid("INVALID_CREDENTIALS", field + ".metadata keys are 1..64 characters of [A-Za-z0-9_.-]");
            }
            text(field + ".metadata values", entry.getValue(), MAX_METADATA_VALUE);
        }
        try {
            TotpSettings.of(value.metadata());
        } catch (IllegalArgumentException e) {
            throw invalid("INVALID_CREDENTIALS", field + "." + e.getMessage());
        }
        return value;
    }

    /** An idempotency key is empty (none) or 1..128 printable ASCII characters. */
    public static String idempotencyKey(String key) {
        if (!key.isEmpty() && !IDEMPOTENCY_KEY.matcher(key).matches()) {
            throw invalid("INVALID_IDEMPOTENCY_KEY", "idempotency_key must be 1..128 printable ASCII characters");
        }
        return key;
    }

    /** Free text: bounded, without control characters. */
    public static String text(String field, String value, int maxLength) {
        if (value.length() > maxLength) {
            throw invalid("INVALID_" + reasonOf(field), field + " is longer than " + maxLength + " characters");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw invalid("INVALID_" + reasonOf(field), field + " contains control characters");
        }
        return value;
    }

    /**
     * Secrets Manager's idempotency token for a write that carries an idempotency key
     * ({@code key}, scoped by tenant and portal), so that a retry of an interrupted write
     * cannot create a second version; null without a key.
     */
    public static String requestToken(String tenant, String portal, String key) {
        return key.isEmpty() ? null
                : UUID.nameUUIDFromBytes((tenant + "/" + portal + "/" + key).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** A request's canonical bytes for its idempotency fingerprint: its parts, NUL-separated. */
    public static byte[] fingerprint(String... parts) {
        return String.join("\u0000", parts).getBytes(StandardCharsets.UTF_8);
    }

    private static String normalizedSeed(String seed) {
        return seed.replace(" ", "").toUpperCase(Locale.ROOT);
    }

    private static String reasonOf(String field) {
        String head = field.contains(".") ? field.substring(0, field.indexOf('.')) : field;
        return head.replace(' ', '_').toUpperCase(Locale.ROOT);
    }

    public static BrokerException invalid(String reason, String message) {
        return BrokerException.invalidInput(reason, message);
    }
}
