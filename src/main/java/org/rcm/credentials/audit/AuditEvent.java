package org.rcm.credentials.audit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * One credential access, as it will be written to {@code credential_access_log}. Text
 * fields are cleaned on construction (control characters removed, lengths bounded), so that
 * no caller-supplied value can make a batch insert fail.
 *
 * @param secretArn the full ARN: the audit table is the one place outside AWS that keeps it
 * @param ipAddress the caller's address as text; an IPv6 zone such as {@code %eth0} (which
 *     {@code InetAddress.getHostAddress()} appends to scoped addresses) is removed, since the
 *     column's type {@code inet} has none and would refuse the row
 * @param errorMessage sanitised, caller-facing message; null on success
 * @param unexpectedIp the call came from outside the tenant's allowed address ranges
 * @param failureBurst a failed retrieval or login that made its tenant's failures in the
 *     window more than the threshold ({@link FailureBursts})
 */
public record AuditEvent(String tenantId, String portalId, String secretArn, AccessType accessType, String accessBy,
        String ipAddress, String userAgent, boolean success, String errorMessage, boolean unexpectedIp,
        Instant accessedAt, boolean failureBurst) {

    static final int MAX_ID = 256;

    /** A row that is not part of a failure burst. */
    public AuditEvent(String tenantId, String portalId, String secretArn, AccessType accessType, String accessBy,
            String ipAddress, String userAgent, boolean success, String errorMessage, boolean unexpectedIp,
            Instant accessedAt) {
        this(tenantId, portalId, secretArn, accessType, accessBy, ipAddress, userAgent, success, errorMessage, unexpectedIp,
                accessedAt, false);
    }

    /** The same row, flagged as part of a failure burst. */
    public AuditEvent inFailureBurst() {
        return new AuditEvent(tenantId, portalId, secretArn, accessType, accessBy, ipAddress, userAgent, success,
                errorMessage, unexpectedIp, accessedAt, true);
    }
    static final int MAX_TEXT = 1024;

    public AuditEvent {
        Objects.requireNonNull(tenantId);
        Objects.requireNonNull(accessType);
        accessedAt = accessedAt.truncatedTo(ChronoUnit.MICROS); // the column's precision, which the chain hashes
        tenantId = clean(tenantId, MAX_ID);
        portalId = clean(portalId, MAX_ID);
        secretArn = clean(secretArn, MAX_TEXT);
        accessBy = Objects.requireNonNullElse(clean(accessBy, MAX_TEXT), "unknown");
        ipAddress = withoutZone(ipAddress);
        userAgent = clean(userAgent, MAX_TEXT);
        errorMessage = success ? null : Objects.requireNonNullElse(clean(errorMessage, MAX_TEXT), "failed");
    }

    /**
     * The row of a read whose answer was withheld because this row missed its deadline: the
     * caller got UNAVAILABLE and no credential, so the row must not say it succeeded. A
     * change (store, rotate, delete, register) keeps its outcome: it took effect all the same. A
 * TOTP code is a credential too.
     */
    AuditEvent withheld(String reason) {
        return success && (accessType == AccessType.RETRIEVE || accessType == AccessType.TOTP)
                ? new AuditEvent(tenantId, portalId, secretArn, accessType, accessBy, ipAddress, userAgent, false,
                        reason, unexpectedIp, accessedAt, failureBurst)
                : this;
    }

    /** {@code fe80::1%eth0} becomes {@code fe80::1}; an empty address becomes null. */
    static String withoutZone(String address) {
        if (address == null) {
            return null;
        }
        int zone = address.indexOf('%');
        String host = zone < 0 ? address : address.substring(0, zone);
        return host.isEmpty() ? null : host;
    }

    private static String clean(String value, int maxLength) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), maxLength));
        for (int i = 0; i < value.length() && out.length() < maxLength; i++) {
            char c = value.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        return out.toString();
    }
}
