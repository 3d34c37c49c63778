package org.rcm.credentials.credential;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * How a portal's codes are made, from the credential's metadata: {@code totp_algorithm}
 * (SHA1, SHA256 or SHA512), {@code totp_digits} (6 or 8), {@code totp_period} (10..300
 * seconds); each absent key takes the RFC default (SHA1, 6, 30).
 */
public record TotpSettings(String algorithm, int digits, int periodSeconds) {

    public static final TotpSettings DEFAULT = new TotpSettings("SHA1", 6, 30);
    static final String ALGORITHM = "totp_algorithm";
    static final String DIGITS = "totp_digits";
    static final String PERIOD = "totp_period";

    /**
     * The settings in {@code metadata}.
     *
     * @throws IllegalArgumentException naming the key whose value is not allowed (never the value)
     */
    public static TotpSettings of(Map<String, String> metadata) {
        String algorithm = metadata.getOrDefault(ALGORITHM, DEFAULT.algorithm()).toUpperCase(Locale.ROOT);
        if (!algorithm.equals("SHA1") && !algorithm.equals("SHA256") && !algorithm.equals("SHA512")) {
            throw new IllegalArgumentException("metadata." + ALGORITHM + " must be SHA1, SHA256 or SHA512");
        }
        int digits = number(metadata, DIGITS, DEFAULT.digits());
        if (digits != 6 && digits != 8) {
            throw new IllegalArgumentException("metadata." + DIGITS + " must be 6 or 8");
        }
        int period = number(metadata, PERIOD, DEFAULT.periodSeconds());
        if (period < 10 || period > 300) {
            throw new IllegalArgumentException("metadata." + PERIOD + " must be 10..300 seconds");
        }
        return new TotpSettings(algorithm, digits, period);
    }

    private static int number(Map<String, String> metadata, String key, int otherwise) {
        String value = metadata.get(key);
        if (value == null) {
            return otherwise;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The step (RFC 6238's T) that contains {@code at}. */
    public long stepAt(Instant at) {
        return Math.floorDiv(at.getEpochSecond(), periodSeconds);
    }

    public Instant start(long step) {
        return Instant.ofEpochSecond(step * periodSeconds);
    }
}
