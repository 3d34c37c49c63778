package org.rcm.credentials.endpoint;

import java.util.Locale;

/**
 * Where a portal's legacy {@code config.credentials} stand in the migration
 * ({@code integration_endpoint.legacy_migration}); {@link #NONE} stands for NULL.
 */
public enum LegacyState {
    /** No migration happened: legacy credentials, if any, are the only copy. */
    NONE,
    /** The secret was written from the legacy credentials and read back equal; the plaintext copy remains. */
    MIGRATED_VERIFIED,
    /** The plaintext copy was removed after the secret read back equal once more. */
    PURGED;

    /** The column's value; null for {@link #NONE}. */
    public String dbValue() {
        return this == NONE ? null : name().toLowerCase(Locale.ROOT);
    }

    public static LegacyState fromDb(String value) {
        return value == null ? NONE : valueOf(value.toUpperCase(Locale.ROOT));
    }
}
