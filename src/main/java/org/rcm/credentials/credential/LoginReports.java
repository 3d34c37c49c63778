package org.rcm.credentials.credential;

import static org.rcm.credentials.credential.CredentialErrors.noCredentials;
import static org.rcm.credentials.credential.CredentialErrors.notRegistered;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.jboss.logging.Logger;
import org.rcm.credentials.cache.SecretCache;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.endpoint.Endpoint;
import org.rcm.credentials.endpoint.Endpoints;
import org.rcm.credentials.endpoint.LoginOutcomes;
import org.rcm.credentials.endpoint.RotationState;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.metrics.BrokerMetrics;
import org.rcm.credentials.secretstore.SecretArn;
import org.rcm.credentials.secretstore.SecretNames;
import org.rcm.credentials.secretstore.SecretStore;
import org.rcm.credentials.secretstore.SecretStores;
import org.rcm.credentials.tenant.Caller;

/**
 * ReportLoginOutcome and ResumeCredentials: a credential that stopped working on the portal is
 * paused before every worker's failed login brings the account to a lock-out.
 */
@ApplicationScoped
public class LoginReports {

    /** A worker's report. */
    public enum Outcome {
        SUCCESS, AUTH_FAILED, LOCKED, MFA_FAILED
    }

    /** The login state after a report, and the credential's version now (newer when the password changed since). */
    public record Report(LoginOutcomes.State state, long currentVersion) {
    }

    private static final Logger LOG = Logger.getLogger(LoginReports.class);

    private final Endpoints endpoints;
    private final LoginOutcomes outcomes;
    private final SecretCache cache;
    private final BrokerMetrics metrics;
    private final SecretStores stores;
    private final BrokerConfig.Login config;
    private final Duration lease;

    public LoginReports(Endpoints endpoints, LoginOutcomes outcomes, SecretCache cache, SecretStores stores,
            BrokerMetrics metrics, BrokerConfig config) {
        this.endpoints = endpoints;
        this.outcomes = outcomes;
        this.cache = cache;
        this.stores = stores;
        this.metrics = metrics;
        this.config = config.login();
        this.lease = config.rotation().lease();
    }

    /**
     * ReportLoginOutcome. A failed login first asks the store whether the password was changed
     * there directly; such a version becomes current, like a Store, and the report, about the
     * version before it, does not count.
     */
    public Uni<Report> report(Caller caller, String portalId, Outcome outcome, long version, String detail) {
        String portal = SecretNames.requireId("portal_id", portalId);
        CredentialRules.text("detail", detail, 256);
        if (outcome == null) {
            throw CredentialRules.invalid("INVALID_OUTCOME", "outcome must be SUCCESS, AUTH_FAILED, LOCKED or MFA_FAILED");
        }
        if (version < 1) {
            throw CredentialRules.invalid("INVALID_VERSION", "version is required: the version GetCredentials answered");
        }
        return endpoints.load(caller.tenant(), portal, notRegistered(portal)).chain(endpoint -> {
            if (!endpoint.hasSecret()) {
                throw noCredentials(endpoint);
            }
            caller.audit().secretArn(endpoint.secret().value());
            if (outcome == Outcome.SUCCESS) {
                return outcomes.succeeded(endpoint, version).map(state -> new Report(state, endpoint.secretVersion()));
            }
            caller.audit().failed("login failed: " + outcome); // a failed access with the credential, for bursts
            Uni<Endpoint> current = outcome == Outcome.LOCKED ? Uni.createFrom().item(endpoint) : adoptNewer(endpoint);
            return current.chain(now -> now.secretVersion() != endpoint.secretVersion()
                    ? Uni.createFrom().item(new Report(new LoginOutcomes.State(0, now.paused(), false, false),
                            now.secretVersion()))
                    : outcomes.failed(endpoint, version, pauseAfter(caller.tenant()), outcome == Outcome.LOCKED)
                            .call(state -> state.counted() ? cache.invalidate(endpoint.secret(), endpoint.cacheVersion())
                                    : Uni.createFrom().voidItem())
                            .invoke(state -> paused(endpoint, state, outcome))
                            .map(state -> new Report(state, endpoint.secretVersion())));
        });
    }

    /**
     * The endpoint once a version written in the store directly (the password changed outside
     * the broker) is current: claimed like a Store, made current in the store (SSM's label),
     * recorded, dropped from every replica's caches. The endpoint as it is when the store has
     * nothing newer, a change is under way, or the store cannot tell now.
     */
    private Uni<Endpoint> adoptNewer(Endpoint endpoint) {
        if (endpoint.pendingVersionId() != null) {
            return Uni.createFrom().item(endpoint);
        }
        SecretArn arn = endpoint.secret();
        SecretStore store = stores.of(arn);
        return store.newestVersionId(arn)
                .chain(newest -> newest.equals(endpoint.secretVersionId()) ? Uni.createFrom().item(endpoint)
                        : endpoints.claim(endpoint, lease)
                                .chain(claim -> store.promote(arn, newest)
                                        .onFailure().call(() -> endpoints.releaseClaim(endpoint, claim))
                                        .chain(() -> endpoints.markStored(endpoint, claim, arn, newest)))
                                .call(() -> cache.invalidate(arn, endpoint.cacheVersion()))
                                .invoke(adopted -> {
                                    metrics.rotation("adopted");
                                    LOG.infof("Endpoint %d: a failed login found a version written in the secret store"
                                            + " directly; it is current now (version %d)", endpoint.id(), adopted.secretVersion());
                                }))
                .onFailure().recoverWithItem(endpoint);
    }

    /** ResumeCredentials: the credential's status afterwards. */
    public Uni<RotationState> resume(Caller caller, String portalId) {
        String portal = SecretNames.requireId("portal_id", portalId);
        return endpoints.load(caller.tenant(), portal, notRegistered(portal))
                .call(outcomes::resume)
                .map(Endpoint::rotationStatus);
    }

    private void paused(Endpoint endpoint, LoginOutcomes.State state, Outcome outcome) {
        if (state.newlyPaused()) {
            metrics.credentialsPaused();
            LOG.warnf("Credentials of endpoint %d paused after %d failed logins (last: %s); an admin stores new ones,"
                    + " completes a rotation or resumes them", endpoint.id(), state.consecutiveFailures(), outcome);
        }
    }

    private int pauseAfter(String tenant) {
        BrokerConfig.TenantLogin own = config.tenants().get(tenant);
        int pauseAfter = own == null ? config.pauseAfter() : own.pauseAfter();
        if (pauseAfter < 1) {
            throw BrokerException.unavailable("INVALID_CONFIGURATION", "the login pause threshold is not set right", null);
        }
        return pauseAfter;
    }
}
