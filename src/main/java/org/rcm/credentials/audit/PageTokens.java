package org.rcm.credentials.audit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.rcm.credentials.error.BrokerException;

/**
 * Page tokens of QueryAccessLog: where the next page starts, signed with HMAC-SHA256 over the
 * tenant and the query's filters, under a key derived from {@code rcm.idempotency.key} (the
 * same on every replica, so any replica serves the next page). A token that was altered, made
 * up, or issued to another tenant or for another query is refused.
 */
final class PageTokens {

    /** Where the next page starts: before ({@code accessedAt}, {@code id}), for a query ending at {@code until}. */
    record Cursor(Instant until, Instant accessedAt, long id) {
    }

    private static final String PURPOSE = "rcm/access-log-page-token/v1";
    private final byte[] key;

    private PageTokens(byte[] key) {
        this.key = key;
    }

    static PageTokens fromBase64Key(Optional<String> base64) {
        byte[] master = Base64.getDecoder().decode(base64.orElseThrow(() -> new IllegalStateException(
                "RCM_IDEMPOTENCY_KEY (rcm.idempotency.key) is required")));
        return new PageTokens(hmac(master, PURPOSE));
    }

    String write(String tenant, String portal, Instant since, Cursor cursor) {
        String body = micros(cursor.until()) + "." + micros(cursor.accessedAt()) + "." + cursor.id();
        String mac = HexFormat.of().formatHex(hmac(key, signed(tenant, portal, since, body)));
        return Base64.getUrlEncoder().withoutPadding().encodeToString((body + "." + mac).getBytes(StandardCharsets.UTF_8));
    }

    Cursor read(String token, String tenant, String portal, Instant since, Instant until) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int lastDot = raw.lastIndexOf('.');
            String body = raw.substring(0, lastDot);
            byte[] mac = HexFormat.of().parseHex(raw.substring(lastDot + 1));
            if (!MessageDigest.isEqual(mac, hmac(key, signed(tenant, portal, since, body)))) {
                throw invalid();
            }
            String[] parts = body.split("\\.");
            Cursor cursor = new Cursor(instant(Long.parseLong(parts[0])), instant(Long.parseLong(parts[1])),
                    Long.parseLong(parts[2]));
            if (until != null && !until.equals(cursor.until())) {
                throw invalid();
            }
            return cursor;
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw invalid();
        }
    }

    private static String signed(String tenant, String portal, Instant since, String body) {
        return tenant + "\n" + (portal == null ? "" : portal) + "\n" + (since == null ? "" : micros(since)) + "\n" + body;
    }

    private static long micros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1_000;
    }

    private static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1_000L);
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BrokerException invalid() {
        return BrokerException.invalidInput("INVALID_PAGE_TOKEN",
                "page_token is not one this service gave for this query");
    }
}
