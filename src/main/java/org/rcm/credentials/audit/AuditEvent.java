package org.rcm.credentials.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * One credential access, as it will be written to {@code credential_access_log}. Text
 * fields are cleaned on construction (control characters removed, lengths bounded), so that
 * no caller-supplied value can make a batch insert fail.
 *
 * @param secretArn the full ARN: the audit table is the one place outside AWS that keeps it
 * @param errorMessage sanitised, caller-facing message; null on success
 * @param unexpectedIp the call came from outside the tenant's allowed address ranges
 */
public record AuditEvent(String tenantId, String portalId, String secretArn, AccessType accessType, String accessBy,
        String ipAddress, String userAgent, boolean success, String errorMessage, boolean unexpectedIp,
        Instant accessedAt) {

    static final int MAX_ID = 256;
    static final int MAX_TEXT = 1024;

    public AuditEvent {
        Objects.requireNonNull(tenantId);
        Objects.requireNonNull(accessType);
        Objects.requireNonNull(accessedAt);
        tenantId = clean(tenantId, MAX_ID);
        portalId = clean(portalId, MAX_ID);
        secretArn = clean(secretArn, MAX_TEXT);
        accessBy = Objects.requireNonNullElse(clean(accessBy, MAX_TEXT), "unknown");
        userAgent = clean(userAgent, MAX_TEXT);
        errorMessage = success ? null : Objects.requireNonNullElse(clean(errorMessage, MAX_TEXT), "failed");
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
