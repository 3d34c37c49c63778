package org.rcm.credentials.audit;

import io.grpc.Context;

/**
 * What one audited RPC has learnt about itself, for its audit row: who called (set by the
 * identity interceptor once the certificate maps to a tenant), which portal (from the
 * request), which secret (set by the domain once it knows the ARN), and, for an answer that
 * reports a failure (a rotation's {@code success=false}), why.
 */
public final class CallAudit {

    /** Where the audit interceptor puts the note of the call it handles. */
    public static final Context.Key<CallAudit> KEY = Context.key("rcm.call-audit");

    /** For calls that are not audited: every note is ignored. */
    public static final CallAudit NONE = new CallAudit(null);

    private final AccessType accessType;
    private volatile Who caller;
    private volatile String portalId;
    private volatile String secretArn;
    private volatile boolean unexpectedIp;
    private volatile String failure;

    /** Who called, as the audit row names them. */
    public record Who(String tenant, String principal, String ipAddress, String userAgent) {
    }

    public CallAudit(AccessType accessType) {
        this.accessType = accessType;
    }

    /** The audit note of the RPC being handled, or {@link #NONE}. */
    public static CallAudit current() {
        CallAudit audit = KEY.get();
        return audit == null ? NONE : audit;
    }

    /** Records who is calling; without a caller (no tenant known) no row is written. */
    public void caller(Who caller) {
        this.caller = caller;
    }

    /** Records the secret this call reads or writes. */
    public void secretArn(String arn) {
        this.secretArn = arn;
    }

    /** Marks the call as coming from outside its tenant's allowed address ranges. */
    public void unexpectedIp() {
        this.unexpectedIp = true;
    }

    /** Records that the call's answer, though not an RPC error, reports a failure (a caller-facing reason). */
    public void failed(String reason) {
        this.failure = reason;
    }

    public void portalId(String portalId) {
        this.portalId = portalId;
    }

    public AccessType accessType() {
        return accessType;
    }

    /** Who called; null when the certificate mapped to no tenant. */
    public Who caller() {
        return caller;
    }

    public String portalId() {
        return portalId;
    }

    public String secretArn() {
        return secretArn;
    }

    public boolean isUnexpectedIp() {
        return unexpectedIp;
    }

    /** The failure the answer reports, or null. */
    public String failure() {
        return failure;
    }
}
