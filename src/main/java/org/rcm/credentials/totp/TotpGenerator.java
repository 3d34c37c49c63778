package org.rcm.credentials.totp;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * TOTP codes (RFC 6238) as payer portals expect them: HMAC-SHA1, 30-second steps, six
 * digits, from a base32 seed (RFC 4648, case-insensitive, spaces and padding ignored).
 */
@ApplicationScoped
public class TotpGenerator {

    static final long STEP_SECONDS = 30;
    static final int DIGITS = 6;
    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /** A code and the instant it stops being valid. */
    public record Code(String code, Instant validUntil) {
        @Override
        public String toString() {
            return "Code[***, validUntil=" + validUntil + "]";
        }
    }

    /** The code for the step that contains {@code at}. */
    public Code generate(String base32Seed, Instant at) {
        long step = Math.floorDiv(at.getEpochSecond(), STEP_SECONDS);
        return new Code(code(decode(base32Seed), step, DIGITS), Instant.ofEpochSecond((step + 1) * STEP_SECONDS));
    }

    static String code(byte[] key, long step, int digits) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            byte[] hash = mac.doFinal(ByteBuffer.allocate(Long.BYTES).putLong(step).array());
            int offset = hash[hash.length - 1] & 0x0F;
            int binary = ((hash[offset] & 0x7F) << 24) | ((hash[offset + 1] & 0xFF) << 16)
                    | ((hash[offset + 2] & 0xFF) << 8) | (hash[offset + 3] & 0xFF);
            int modulus = (int) Math.pow(10, digits);
            return String.format(Locale.ROOT, "%0" + digits + "d", binary % modulus);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is not available", e);
        }
    }

    /**
     * Decodes base32.
     *
     * @throws IllegalArgumentException when the seed is not base32 (the message never contains it)
     */
    static byte[] decode(String base32) {
        String clean = base32.replace(" ", "").replace("=", "").toUpperCase(Locale.ROOT);
        if (clean.isEmpty()) {
            throw new IllegalArgumentException("empty TOTP seed");
        }
        ByteBuffer out = ByteBuffer.allocate(clean.length() * 5 / 8);
        int buffer = 0;
        int bits = 0;
        for (char c : clean.toCharArray()) {
            int value = BASE32.indexOf(c);
            if (value < 0) {
                throw new IllegalArgumentException("TOTP seed is not base32");
            }
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8) {
                out.put((byte) (buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        return out.array();
    }
}
