package org.rcm.credentials.tenant;

import io.quarkus.security.credential.CertificateCredential;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * Adds the tenant and role of the verified client certificate to the caller's
 * {@link SecurityIdentity}: the role as a SecurityIdentity role ({@code worker} or
 * {@code admin}), the whole {@link TenantIdentity} as attribute {@link #TENANT_ATTRIBUTE}.
 * A certificate that maps to nothing is left without either.
 */
@ApplicationScoped
public class TenantIdentityAugmentor implements SecurityIdentityAugmentor {

    /** SecurityIdentity attribute holding the {@link TenantIdentity}. */
    public static final String TENANT_ATTRIBUTE = "rcm.tenant-identity";

    private final ClientCertificateMapper mapper;

    public TenantIdentityAugmentor(ClientCertificateMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        CertificateCredential credential = identity.getCredential(CertificateCredential.class);
        if (credential == null) {
            return Uni.createFrom().item(identity);
        }
        return mapper.map(credential.getCertificate())
                .map(mapped -> withTenant(identity, mapped));
    }

    private static SecurityIdentity withTenant(SecurityIdentity identity, Optional<TenantIdentity> tenant) {
        return tenant.<SecurityIdentity>map(t -> QuarkusSecurityIdentity.builder(identity)
                        .addRole(t.role().id())
                        .addAttribute(TENANT_ATTRIBUTE, t)
                        .build())
                .orElse(identity);
    }
}
