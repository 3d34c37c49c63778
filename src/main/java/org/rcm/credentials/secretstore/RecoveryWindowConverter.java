package org.rcm.credentials.secretstore;

import org.eclipse.microprofile.config.spi.Converter;

/**
 * Reads {@code rcm.secret-store.recovery-window-days}, accepting only what Secrets Manager's
 * DeleteSecret accepts: 0 (delete at once, without recovery) or 7 to 30 days. Any other value
 * fails the configuration, so the service does not start.
 */
public final class RecoveryWindowConverter implements Converter<Integer> {

    static final String VARIABLE = "RCM_SECRET_STORE_RECOVERY_WINDOW_DAYS";

    @Override
    public Integer convert(String value) {
        int days;
        try {
            days = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw invalid(value);
        }
        if (days != 0 && (days < 7 || days > 30)) {
            throw invalid(value);
        }
        return days;
    }

    private static IllegalArgumentException invalid(String value) {
        return new IllegalArgumentException(VARIABLE + " (rcm.secret-store.recovery-window-days) must be 0"
                + " (delete without recovery) or 7 to 30 days, not '" + value + "'");
    }
}
