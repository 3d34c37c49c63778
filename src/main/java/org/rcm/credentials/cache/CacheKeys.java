package org.rcm.credentials.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Cache keys. Locally a key is plain text (cheap on the hot path); what crosses to other
 * replicas in a NOTIFY payload is its {@link #hash}, which names neither an ARN nor a portal.
 */
public final class CacheKeys {

    private CacheKeys() {
    }

    static String secret(String arn, String versionId) {
        return "s:" + arn + "#" + versionId;
    }

    public static String endpoint(String tenant, String portal) {
        return "e:" + tenant + "/" + portal;
    }

    /** What other replicas receive for a key: the first 128 bits of its SHA-256, in hex. */
    static String hash(Object key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
