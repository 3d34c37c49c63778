package org.rcm.credentials.tenant;

import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.rcm.credentials.api.v1.CredentialAdminServiceGrpc;
import org.rcm.credentials.api.v1.CredentialServiceGrpc;

/**
 * Which roles may call which RPC. Workers read credentials (GetCredentials, without the MFA
 * seed) and TOTP codes; admins may call everything within their tenant. Methods outside the
 * broker's two services (health, reflection) need only a trusted certificate.
 */
public final class AccessPolicy {

    private static final Set<Role> ANYONE = EnumSet.allOf(Role.class);
    private static final Set<Role> ADMINS = EnumSet.of(Role.ADMIN);

    private static final Map<String, Set<Role>> WORKER_METHODS = Map.of(
            CredentialServiceGrpc.getGetCredentialsMethod().getFullMethodName(), ANYONE,
            CredentialServiceGrpc.getGenerateTotpMethod().getFullMethodName(), ANYONE);

    private static final Set<String> TENANT_SERVICES = Set.of(
            CredentialServiceGrpc.SERVICE_NAME, CredentialAdminServiceGrpc.SERVICE_NAME);

    private AccessPolicy() {
    }

    /** The roles allowed to call a method, or empty when the method is not a tenant RPC. */
    public static Optional<Set<Role>> rolesFor(String fullMethodName) {
        String service = fullMethodName.substring(0, Math.max(0, fullMethodName.lastIndexOf('/')));
        if (!TENANT_SERVICES.contains(service)) {
            return Optional.empty();
        }
        return Optional.of(WORKER_METHODS.getOrDefault(fullMethodName, ADMINS));
    }
}
