package org.rcm.credentials.tenant;

/**
 * Who is calling, for one RPC: the tenant and role from the client certificate, and where the
 * call came from. Built by {@link CallerInterceptor}; domain services take it as a parameter.
 *
 * @param ipAddress the gRPC peer's IP address, or null when unknown
 * @param userAgent the {@code user-agent} metadata, or null
 */
public record Caller(TenantIdentity identity, String ipAddress, String userAgent) {

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
