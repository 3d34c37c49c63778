package org.rcm.credentials.totp;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.rcm.credentials.credential.TotpSettings;

/**
 * TOTP codes (RFC 6238) from a base32 seed (RFC 4648, case-insensitive, spaces and padding
 * ignored): HMAC-SHA1, 30-second steps and six digits unless the credential's metadata says
 * otherwise ({@link TotpSettings}). The algorithm is a dozen lines over the JDK's HMAC, checked
 * against RFC 6238's test vectors: a library would add a dependency to a security service
 * for no less code.
 */
@ApplicationScoped
public class TotpGenerator {

    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /** A code, its step and when it is valid: from {@code validFrom} until {@code validUntil}. */
    public record Code(String code, long step, int periodSeconds, Instant validFrom, Instant validUntil) {
        @Override
        public String toString() {
            return "Code[***, step=" + step + ", validUntil=" + validUntil + "]";
        }
    }

    /** The code for the step that contains {@code at}, with the RFC defaults. */
    public Code generate(String base32Seed, Instant at) {
        return generate(base32Seed, TotpSettings.DEFAULT, TotpSettings.DEFAULT.stepAt(at));
    }

    /** The code of {@code step} under {@code settings}. */
    public Code generate(String base32Seed, TotpSettings settings, long step) {
        return new Code(code(decode(base32Seed), settings.algorithm(), step, settings.digits()), step,
                settings.periodSeconds(), settings.start(step), settings.start(step + 1));
    }

    static String code(byte[] key, String algorithm, long step, int digits) {
        String hmac = "Hmac" + algorithm;
        try {
            Mac mac = Mac.getInstance(hmac);
            mac.init(new SecretKeySpec(key, hmac));
            byte[] hash = mac.doFinal(ByteBuffer.allocate(Long.BYTES).putLong(step).array());
            int offset = hash[hash.length - 1] & 0x0F;
            int binary = ((hash[offset] & 0x7F) << 24) | ((hash[offset + 1] & 0xFF) << 16)
                    | ((hash[offset + 2] & 0xFF) << 8) | (hash[offset + 3] & 0xFF);
            int modulus = (int) Math.pow(10, digits);
            return String.format(Locale.ROOT, "%0" + digits + "d", binary % modulus);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(hmac + " is not available", e);
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
