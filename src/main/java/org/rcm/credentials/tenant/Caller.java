package org.rcm.credentials.tenant;

import org.rcm.credentials.audit.CallAudit;

/**
 * Who is calling, for one RPC: the tenant and role from the client certificate, where the
 * call came from, and the call's audit note. Built by {@link CallerInterceptor}; domain
 * services take it as a parameter.
 *
 * @param ipAddress the gRPC peer's IP address, or null when unknown
 * @param userAgent the {@code user-agent} metadata, or null
 * @param audit where the domain records the secret the call touches
 */
public record Caller(TenantIdentity identity, String ipAddress, String userAgent, CallAudit audit) {

    public String tenant() {
        return identity.tenant();
    }

    public Role role() {
        return identity.role();
    }

    public String principal() {
        return identity.principal();
    }
}
