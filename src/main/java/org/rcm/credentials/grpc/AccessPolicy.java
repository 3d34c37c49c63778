package org.rcm.credentials.grpc;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.rcm.credentials.api.v1.CredentialAdminServiceGrpc;
import org.rcm.credentials.api.v1.CredentialServiceGrpc;
import org.rcm.credentials.tenant.Role;

/**
 * Who may call which gRPC method. The broker's two services are tenant RPCs: workers read
 * credentials (GetCredentials, without the MFA seed) and TOTP codes, and take part in
 * rotations (BeginRotation, CompleteRotation, ListDueRotations); admins may call everything
 * within their tenant. Health needs only a trusted certificate (the handshake);
 * server reflection, when it is turned on, a certificate mapped to a tenant. Every other
 * service is refused, so that nothing an extension registers is served unnoticed.
 */
public final class AccessPolicy {

    /** What a method asks of its caller. */
    public enum Requirement {
        /** A tenant, and one of {@link Access#roles()}. */
        TENANT_ROLE,
        /** A certificate mapped to a tenant, any role (server reflection). */
        MAPPED_CERTIFICATE,
        /** A trusted certificate: the handshake has checked it (health). */
        TRUSTED_CERTIFICATE,
        /** Not served: a service this server does not offer, or reflection turned off. */
        REFUSED
    }

    /** A method's requirement; {@code roles} only for {@link Requirement#TENANT_ROLE}. */
    public record Access(Requirement requirement, Set<Role> roles) {
    }

    private static final Set<Role> ANYONE = EnumSet.allOf(Role.class);
    private static final Set<Role> ADMINS = EnumSet.of(Role.ADMIN);

    /** Workers may also begin and complete rotations (BeginRotation checks that one is due) and list the due ones. */
    private static final Map<String, Set<Role>> WORKER_METHODS = Map.of(
            CredentialServiceGrpc.getGetCredentialsMethod().getFullMethodName(), ANYONE,
            CredentialServiceGrpc.getGenerateTotpMethod().getFullMethodName(), ANYONE,
            CredentialServiceGrpc.getBeginRotationMethod().getFullMethodName(), ANYONE,
            CredentialServiceGrpc.getCompleteRotationMethod().getFullMethodName(), ANYONE,
            CredentialServiceGrpc.getReportLoginOutcomeMethod().getFullMethodName(), ANYONE,
            CredentialAdminServiceGrpc.getListDueRotationsMethod().getFullMethodName(), ANYONE);

    private static final Set<String> TENANT_SERVICES = Set.of(
            CredentialServiceGrpc.SERVICE_NAME, CredentialAdminServiceGrpc.SERVICE_NAME);
    private static final String HEALTH_SERVICE = "grpc.health.v1.Health";
    /** {@code grpc.reflection.v1.ServerReflection} and {@code grpc.reflection.v1alpha.ServerReflection}. */
    private static final String REFLECTION_PACKAGE = "grpc.reflection.";

    private AccessPolicy() {
    }

    /** What a call of {@code fullMethodName} needs, with server reflection turned on or off. */
    public static Access accessFor(String fullMethodName, boolean reflection) {
        String service = fullMethodName.substring(0, Math.max(0, fullMethodName.lastIndexOf('/')));
        if (TENANT_SERVICES.contains(service)) {
            return new Access(Requirement.TENANT_ROLE, WORKER_METHODS.getOrDefault(fullMethodName, ADMINS));
        }
        if (service.equals(HEALTH_SERVICE)) {
            return new Access(Requirement.TRUSTED_CERTIFICATE, Set.of());
        }
        if (service.startsWith(REFLECTION_PACKAGE) && service.endsWith(".ServerReflection")) {
            return new Access(reflection ? Requirement.MAPPED_CERTIFICATE : Requirement.REFUSED, Set.of());
        }
        return new Access(Requirement.REFUSED, Set.of());
    }
}
