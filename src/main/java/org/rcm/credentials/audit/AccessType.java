package org.rcm.credentials.audit;

import java.util.Locale;

/** The kind of access an audit row records; stored as its lower-case name. */
public enum AccessType {
    RETRIEVE,
    STORE,
    ROTATE,
    DELETE,
    REGISTER,
    /** Another administrative RPC: an access-log query, the list of revoked certificates. */
    ADMIN,
    /** A legacy migration or purge: the call, and each portal migrated, purged or failed. */
    MIGRATE,
    /** A client certificate revoked (RevokeClientCertificate). */
    REVOKE,
    /** A rotation schedule set or read, or due rotations listed. */
    SCHEDULE,
    /** A TOTP code handed out (GenerateTotp). */
    TOTP,
    /** A login outcome reported (ReportLoginOutcome), or paused credentials resumed (ResumeCredentials). */
    LOGIN_OUTCOME;

    /** The {@code credential_access_log.access_type} value. */
    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
