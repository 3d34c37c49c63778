package org.rcm.credentials.credential;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What Postgres keeps of a request with an idempotency key: hex(HMAC-SHA256(key, canonical
 * request)). The key is server-side configuration ({@code rcm.idempotency.key}), never in the
 * database, so someone who can read the database cannot test guessed portal passwords against
 * a fingerprint. Every replica has the same key, so a retry is recognised on any of them.
 *
 * <p>Holds a secret: {@link #toString()} prints {@code ***}, and no message names the key's value.
 */
final class RequestFingerprint {

    /** Shortest key accepted, in bytes: the HMAC-SHA256 output size. */
    static final int MIN_KEY_BYTES = 32;

    private static final String ALGORITHM = "HmacSHA256";
    private static final String SETTING = "RCM_IDEMPOTENCY_KEY (rcm.idempotency.key)";
    private static final String HOW = "set it to the base64 of at least " + MIN_KEY_BYTES
            + " random bytes (openssl rand -base64 32), the same on every replica";

    private final SecretKeySpec key;

    private RequestFingerprint(byte[] key) {
        this.key = new SecretKeySpec(key, ALGORITHM);
    }

    /**
     * The fingerprint function of a configured key.
     *
     * @throws IllegalStateException naming RCM_IDEMPOTENCY_KEY, never its value, when the key is
     *         missing, not base64 or shorter than {@link #MIN_KEY_BYTES}
     */
    static RequestFingerprint fromBase64(Optional<String> base64) {
        String encoded = base64.map(String::strip).filter(s -> !s.isEmpty())
                .orElseThrow(() -> new IllegalStateException(SETTING + " is not set: " + HOW));
        byte[] key;
        try {
            key = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            // not chained: the decoder's message quotes a character of the key
            throw new IllegalStateException(SETTING + " is not valid base64: " + HOW);
        }
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalStateException(SETTING + " is too short (" + key.length + " bytes): " + HOW);
        }
        return new RequestFingerprint(key);
    }

    /** The fingerprint of a request's canonical bytes: 64 lower-case hex digits. */
    String of(byte[] request) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal(request));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is not available", e);
        }
    }

    /** Whether a stored fingerprint is this request's, compared in constant time. */
    boolean matches(String stored, byte[] request) {
        return MessageDigest.isEqual(stored.getBytes(StandardCharsets.US_ASCII),
                of(request).getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return "RequestFingerprint[key=***]";
    }
}
