package org.rcm.credentials.endpoint;

import java.util.Locale;

/** {@code integration_endpoint.rotation_status}; {@link #NONE} stands for NULL (nothing stored yet). */
public enum RotationState {
    NONE,
    ACTIVE,
    FAILED,
    PENDING;

    /** The column's value; null for {@link #NONE}. */
    public String dbValue() {
        return this == NONE ? null : name().toLowerCase(Locale.ROOT);
    }

    public static RotationState fromDb(String value) {
        return value == null ? NONE : valueOf(value.toUpperCase(Locale.ROOT));
    }
}
