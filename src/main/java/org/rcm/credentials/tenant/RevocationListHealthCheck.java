package org.rcm.credentials.tenant;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the revoked certificates are loaded: until then this replica refuses every certificate. */
@Readiness
@ApplicationScoped
public class RevocationListHealthCheck implements HealthCheck {

    private final RevocationList revocations;

    public RevocationListHealthCheck(RevocationList revocations) {
        this.revocations = revocations;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("revocation-list").status(revocations.loaded()).build();
    }
}
