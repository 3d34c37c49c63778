package org.rcm.credentials.audit;

import io.grpc.Context;
import org.rcm.credentials.tenant.Caller;

/**
 * What one audited RPC has learnt about itself, for its audit row: who called (set by the
 * identity interceptor once the certificate maps to a tenant), which portal (from the
 * request), and which secret (set by the domain once it knows the ARN).
 */
public final class CallAudit {

    static final Context.Key<CallAudit> KEY = Context.key("rcm.call-audit");

    /** For calls that are not audited: every note is ignored. */
    public static final CallAudit NONE = new CallAudit(null);

    private final AccessType accessType;
    private volatile Caller caller;
    private volatile String portalId;
    private volatile String secretArn;
    private volatile boolean unexpectedIp;

    CallAudit(AccessType accessType) {
        this.accessType = accessType;
    }

    /** The audit note of the RPC being handled, or {@link #NONE}. */
    public static CallAudit current() {
        CallAudit audit = KEY.get();
        return audit == null ? NONE : audit;
    }

    /** Records who is calling; without a caller (no tenant known) no row is written. */
    public void caller(Caller caller) {
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

    void portalId(String portalId) {
        this.portalId = portalId;
    }

    /** Whether only a refused call of this RPC gets a row: the admin RPCs that have no access type of their own. */
    boolean refusalsOnly() {
        return accessType == AccessType.ADMIN;
    }

    AccessType accessType() {
        return accessType;
    }

    Caller caller() {
        return caller;
    }

    String portalId() {
        return portalId;
    }

    String secretArn() {
        return secretArn;
    }

    boolean isUnexpectedIp() {
        return unexpectedIp;
    }
}
