package org.rcm.credentials.credential;

import static org.rcm.credentials.credential.CredentialErrors.notRegistered;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;
import org.rcm.credentials.cache.SecretCache;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.endpoint.Endpoint;
import org.rcm.credentials.endpoint.Endpoints;
import org.rcm.credentials.secretstore.SecretStores;
import org.rcm.credentials.tenant.Caller;

/**
 * Settles changes left unfinished with the secret store, which knows which version is current:
 * a rotation whose promotion failed or whose process died, a store whose record failed, and,
 * for the retry of a keyed request, the version that request wrote.
 */
@ApplicationScoped
public class UnfinishedChanges {

    private static final Logger LOG = Logger.getLogger(UnfinishedChanges.class);

    private final Endpoints endpoints;
    private final SecretStores stores;
    private final SecretCache cache;
    private final Duration lease;

    public UnfinishedChanges(Endpoints endpoints, SecretStores stores, SecretCache cache, BrokerConfig config) {
        this.endpoints = endpoints;
        this.stores = stores;
        this.cache = cache;
        this.lease = config.rotation().lease();
    }

    /**
     * The endpoint with its unfinished change resolved: when the store made the pending
     * version current, the endpoint follows; otherwise the pending version is forgotten. When
     * the store cannot tell now, the endpoint as it is.
     */
    public Uni<Endpoint> resolve(Endpoint endpoint) {
        if (!endpoint.hasSecret() || !endpoint.rotationUnresolved(Instant.now(), lease)) {
            return Uni.createFrom().item(endpoint);
        }
        return settle(endpoint);
    }

    /**
     * {@link #resolve} now, whatever the claim's lease or expiry says: for the rotation job,
     * which ends the worker-driven rotations nobody completed.
     */
    public Uni<Endpoint> settle(Endpoint endpoint) {
        String pending = endpoint.pendingVersionId();
        Uni<Endpoint> resolved = pending == null
                ? endpoints.expireClaim(endpoint).chain(() -> reload(endpoint))
                : stores.of(endpoint.secret()).currentVersionId(endpoint.secret())
                        .chain(current -> current.equals(pending)
                                ? endpoints.markPromoted(endpoint, endpoint.rotationStartedAt(), pending)
                                        .call(() -> cache.invalidate(endpoint.secret(), endpoint.cacheVersion()))
                                : endpoints.abandonPending(endpoint, pending).chain(() -> reload(endpoint)));
        return resolved
                .invoke(after -> LOG.infof("Resolved an unfinished rotation of endpoint %d: %s", endpoint.id(),
                        after.rotationStatus()))
                .onFailure().recoverWithUni(failure -> reload(endpoint))
                .onFailure().recoverWithItem(endpoint);
    }

    /**
     * For the retry of a keyed Store or Rotate whose write of version {@code written} is
     * unsettled: the endpoint once its unfinished change is resolved with the store, when
     * {@code written} is current or still cannot be told from the store; null when it is
     * known not to be current (the request runs again).
     */
    public Uni<Endpoint> settled(Caller caller, String portal, String written) {
        return endpoints.load(caller.tenant(), portal, notRegistered(portal))
                .chain(this::resolve)
                .map(endpoint -> written.equals(endpoint.secretVersionId()) || written.equals(endpoint.pendingVersionId())
                        ? endpoint : null);
    }

    private Uni<Endpoint> reload(Endpoint endpoint) {
        return endpoints.load(endpoint.tenantId(), endpoint.portalId(), notRegistered(endpoint.portalId()));
    }
}
