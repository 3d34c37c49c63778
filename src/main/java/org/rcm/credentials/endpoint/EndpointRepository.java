package org.rcm.credentials.endpoint;

import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Integration endpoints, always looked up within one tenant. */
@ApplicationScoped
public class EndpointRepository implements PanacheRepository<IntegrationEndpoint> {

    /** The tenant's portal, or null. Another tenant's portal is never returned. */
    public Uni<IntegrationEndpoint> findByPortal(String tenantId, String portalId) {
        return find("tenantId = ?1 and portalId = ?2", tenantId, portalId).firstResult();
    }
}
