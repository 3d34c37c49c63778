package org.rcm.credentials.totp;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.credential.CredentialReader;
import org.rcm.credentials.credential.TotpSettings;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.reactive.VertxContexts;
import org.rcm.credentials.secretstore.SecretNames;
import org.rcm.credentials.secretstore.SecretValue;
import org.rcm.credentials.tenant.Caller;
import org.rcm.credentials.totp.TotpGenerator.Code;

/**
 * GenerateTotp: the code of the portal's MFA seed, read like GetCredentials, so that workers
 * never need the seed. A caller may ask for a code with time left to type it
 * ({@code minRemainingSeconds}: the next step's, once it starts, waiting on a timer) and for
 * a step of its own ({@code exclusive}: the first caller to claim a step in Postgres gets it,
 * on any replica; the others are told when the next one starts).
 */
@ApplicationScoped
public class TotpCodes {

    /** What GenerateTotp asks; {@code timeLeft} is the call's deadline, null when it has none. */
    public record Request(String portalId, int minRemainingSeconds, boolean exclusive, Duration timeLeft) {
    }

    private static final Logger LOG = Logger.getLogger(TotpCodes.class);
    private static final String CLAIM = "INSERT INTO totp_step_claim (tenant_id, portal_id, step, claimed_by)"
            + " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";

    private final CredentialReader reader;
    private final TotpGenerator totp;
    private final Pool pool;
    private final Vertx vertx;
    private final Duration timeout;

    public TotpCodes(CredentialReader reader, TotpGenerator totp, Pool pool, Vertx vertx, BrokerConfig config) {
        this.reader = reader;
        this.totp = totp;
        this.pool = pool;
        this.vertx = vertx;
        this.timeout = config.databaseTimeout();
    }

    /** GenerateTotp: NOT_FOUND without a seed. */
    public Uni<Code> code(Caller caller, Request request) {
        String portal = SecretNames.requireId("portal_id", request.portalId());
        if (request.minRemainingSeconds() < 0) {
            throw invalidMinRemaining();
        }
        Context context = io.vertx.core.Vertx.currentContext(); // the call's: the timer fires there
        return reader.read(caller, portal).chain(read -> {
            SecretValue credentials = read.credentials();
            TotpSettings settings = settings(portal, credentials);
            if (request.minRemainingSeconds() >= settings.periodSeconds()) {
                throw invalidMinRemaining();
            }
            Instant now = Instant.now();
            long step = settings.stepAt(now);
            boolean tooLate = Duration.between(now, settings.start(step + 1)).getSeconds() < request.minRemainingSeconds();
            return tooLate ? next(context, caller, portal, credentials, settings, step, request)
                    : handOut(context, caller, portal, credentials, settings, step, request, true);
        });
    }

    /**
     * Step {@code step}'s code; exclusive, when this caller claims it first. When another
     * caller has it: the next step's code once it starts if {@code mayWait} and the caller
     * asked for time left, else RESOURCE_EXHAUSTED with the delay to the next step.
     */
    private Uni<Code> handOut(Context context, Caller caller, String portal, SecretValue credentials, TotpSettings settings, long step,
            Request request, boolean mayWait) {
        Code code = generate(portal, credentials, settings, step);
        if (!request.exclusive()) {
            return Uni.createFrom().item(code);
        }
        return VertxContexts.database(pool.preparedQuery(CLAIM)
                        .execute(Tuple.of(caller.tenant(), portal, step, caller.principal())), timeout)
                .chain(rows -> {
                    if (rows.rowCount() == 1) {
                        return Uni.createFrom().item(code);
                    }
                    if (mayWait && request.minRemainingSeconds() > 0) {
                        return next(context, caller, portal, credentials, settings, step, request);
                    }
                    Duration untilNext = Duration.between(Instant.now(), settings.start(step + 1));
                    return Uni.createFrom().failure(BrokerException.resourceExhausted("TOTP_STEP_TAKEN",
                            "this step's code went to another caller; the next step starts in "
                                    + Math.max(1, untilNext.toMillis() / 1000) + " s",
                            untilNext.isNegative() ? Duration.ZERO : untilNext));
                });
    }

    /** The code of the step after {@code step}, handed out when it starts. */
    private Uni<Code> next(Context context, Caller caller, String portal, SecretValue credentials, TotpSettings settings, long step,
            Request request) {
        Duration wait = Duration.between(Instant.now(), settings.start(step + 1));
        if (request.timeLeft() != null && request.timeLeft().compareTo(wait) < 0) {
            return Uni.createFrom().failure(BrokerException.deadlineExceeded("DEADLINE_BEFORE_NEXT_STEP",
                    "the next TOTP step starts after the call's deadline; call again with a longer deadline"));
        }
        return VertxContexts.timer(context, wait)
                .chain(() -> handOut(context, caller, portal, credentials, settings, step + 1, request, false));
    }

    private Code generate(String portal, SecretValue credentials, TotpSettings settings, long step) {
        if (credentials.mfaSeed().isEmpty()) {
            throw BrokerException.notFound("NO_MFA_SEED", "portal " + portal + " has no mfa_seed");
        }
        try {
            return totp.generate(credentials.mfaSeed(), settings, step);
        } catch (IllegalArgumentException e) {
            throw BrokerException.unavailable("INVALID_MFA_SEED", "the stored mfa_seed of portal " + portal
                    + " is not base32", null);
        }
    }

    private static TotpSettings settings(String portal, SecretValue credentials) {
        try {
            return TotpSettings.of(credentials.metadata());
        } catch (IllegalArgumentException e) {
            throw BrokerException.failedPrecondition("INVALID_TOTP_SETTINGS", "the stored credentials of portal " + portal
                    + " have TOTP settings this service does not support: " + e.getMessage());
        }
    }

    private static BrokerException invalidMinRemaining() {
        return BrokerException.invalidInput("INVALID_MIN_REMAINING_SECONDS",
                "min_remaining_seconds must be 0..period-1 (29 with the default 30-second period)");
    }

    /** Forgets claimed steps older than a day, every hour. */
    void scheduleCleanup(@Observes StartupEvent event) {
        vertx.setPeriodic(Duration.ofHours(1).toMillis(), id -> pool
                .preparedQuery("DELETE FROM totp_step_claim WHERE claimed_at < now() - interval '1 day'")
                .execute()
                .subscribe().with(
                        rows -> LOG.debugf("Removed %d old TOTP step claims", rows.rowCount()),
                        failure -> LOG.warnf("TOTP step claim cleanup failed: %s", failure.getClass().getSimpleName())));
    }
}
