package org.rcm.credentials.tenant;

/**
 * The tenant and role a client certificate maps to.
 *
 * @param principal how the client appears in audit rows ({@code access_by}): its SPIFFE id,
 *     or its certificate subject
 */
public record TenantIdentity(String tenant, Role role, String principal) {
}
