package org.rcm.credentials.credential;

import static org.rcm.credentials.credential.CredentialErrors.noCredentials;
import static org.rcm.credentials.credential.CredentialErrors.notRegistered;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.rcm.credentials.cache.SecretCache;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.endpoint.Endpoint;
import org.rcm.credentials.endpoint.Endpoints;
import org.rcm.credentials.endpoint.LoginOutcomes;
import org.rcm.credentials.endpoint.RotationState;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.metrics.BrokerMetrics;
import org.rcm.credentials.secretstore.SecretNames;
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

    private static final Logger LOG = Logger.getLogger(LoginReports.class);

    private final Endpoints endpoints;
    private final LoginOutcomes outcomes;
    private final SecretCache cache;
    private final BrokerMetrics metrics;
    private final BrokerConfig.Login config;

    public LoginReports(Endpoints endpoints, LoginOutcomes outcomes, SecretCache cache, BrokerMetrics metrics,
            BrokerConfig config) {
        this.endpoints = endpoints;
        this.outcomes = outcomes;
        this.cache = cache;
        this.metrics = metrics;
        this.config = config.login();
    }

    /** ReportLoginOutcome. */
    public Uni<LoginOutcomes.State> report(Caller caller, String portalId, Outcome outcome, long version, String detail) {
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
                return outcomes.succeeded(endpoint, version);
            }
            caller.audit().failed("login failed: " + outcome); // a failed access with the credential, for bursts
            return outcomes.failed(endpoint, version, pauseAfter(caller.tenant()), outcome == Outcome.LOCKED)
                    .call(state -> state.counted() ? cache.invalidate(endpoint.secret(), endpoint.cacheVersion())
                            : Uni.createFrom().voidItem())
                    .invoke(state -> paused(endpoint, state, outcome));
        });
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
