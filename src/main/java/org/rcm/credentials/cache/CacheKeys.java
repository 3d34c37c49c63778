package org.rcm.credentials.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Cache keys are hashes, so that what crosses to other replicas (NOTIFY payloads) and what sits
 * in memory dumps names neither an ARN nor a tenant's portal.
 */
final class CacheKeys {

    private CacheKeys() {
    }

    static String secret(String arn, String versionId) {
        return "s" + sha256(arn + "#" + versionId);
    }

    static String endpoint(String tenant, String portal) {
        return "e" + sha256(tenant + "/" + portal);
    }

    static boolean isSecret(String key) {
        return key.startsWith("s");
    }

    static boolean isEndpoint(String key) {
        return key.startsWith("e");
    }

    private static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
