package org.rcm.credentials.tenant;

import java.util.Locale;
import java.util.Optional;

/** What a client may do within its tenant. */
public enum Role {
    /** A portal worker: reads credentials (without the MFA seed) and TOTP codes. */
    WORKER,
    /** A tenant admin: everything within the tenant. */
    ADMIN;

    /** The role's name in certificates and SecurityIdentity roles: {@code worker}, {@code admin}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> parse(String id) {
        for (Role role : values()) {
            if (role.id().equals(id)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
