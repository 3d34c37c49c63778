package org.rcm.credentials.endpoint;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Objects;
import org.rcm.credentials.config.BrokerConfig;

/**
 * The login state of a portal's credentials: consecutive failed logins of the current version
 * and whether they paused it. Every change drops the portal from every replica's caches in
 * its own transaction, like the other endpoint changes; a pause queues its e-mail in the same
 * statement.
 */
@ApplicationScoped
public class LoginOutcomes {

    /** The state after a report; {@code counted} false when the report was about an older version. */
    public record State(int consecutiveFailures, boolean paused, boolean newlyPaused, boolean counted) {
    }

    private static final String FAILED = """
            WITH counted AS (
                UPDATE integration_endpoint
                   SET login_failures = login_failures + 1,
                       paused_at = CASE WHEN paused_at IS NULL AND (?4 OR login_failures + 1 >= ?3) THEN ?5
                                   ELSE paused_at END,
                       updated_at = ?5
                 WHERE id = ?1 AND secret_version = ?2
                RETURNING id, tenant_id, portal_id, login_failures, paused_at),
            queued AS (
                INSERT INTO notification_outbox (tenant_id, portal_id, kind, recipients, created_at, next_attempt_at)
                SELECT c.tenant_id, c.portal_id, 'credential_paused', s.notification_emails, ?5, ?5
                  FROM counted c JOIN credential_rotation_schedule s ON s.endpoint_id = c.id
                 WHERE c.paused_at = ?5 AND ?6 AND cardinality(s.notification_emails) > 0
                RETURNING id)
            SELECT login_failures, paused_at IS NOT NULL, coalesce(paused_at = ?5, false) FROM counted""";

    private final Endpoints endpoints;
    private final boolean notify;

    public LoginOutcomes(Endpoints endpoints, BrokerConfig config) {
        this.endpoints = endpoints;
        this.notify = config.notifications().smtpHost().isPresent();
    }

    /**
     * A failed login with {@code version}: counted when it is the current version; pauses at
     * {@code pauseAfter} consecutive failures, or at once when {@code lockedOut}.
     */
    public Uni<State> failed(Endpoint endpoint, long version, int pauseAfter, boolean lockedOut) {
        Instant at = Endpoints.now();
        return endpoints.notified(endpoint, () -> Panache.getSession().chain(session -> session.createNativeQuery(FAILED, Object[].class)
                        .setParameter(1, endpoint.id())
                        .setParameter(2, version)
                        .setParameter(3, pauseAfter)
                        .setParameter(4, lockedOut)
                        .setParameter(5, at)
                        .setParameter(6, notify)
                        .getSingleResultOrNull()), Objects::nonNull)
                .map(row -> row == null ? unchanged(endpoint)
                        : new State(((Number) row[0]).intValue(), (Boolean) row[1], (Boolean) row[2], true));
    }

    /** A successful login with {@code version}: the count starts again (a pause stays until an admin acts). */
    public Uni<State> succeeded(Endpoint endpoint, long version) {
        return endpoints.notified(endpoint, () -> Panache.getSession().chain(session -> session.createNativeQuery("""
                                UPDATE integration_endpoint SET login_failures = 0, updated_at = now()
                                 WHERE id = ?1 AND secret_version = ?2
                                RETURNING paused_at IS NOT NULL""", Boolean.class)
                        .setParameter(1, endpoint.id())
                        .setParameter(2, version)
                        .getSingleResultOrNull()), Objects::nonNull)
                .map(paused -> paused == null ? unchanged(endpoint) : new State(0, paused, false, true));
    }

    /** Hands a paused credential out again, its count reset; false when it was not paused. */
    public Uni<Boolean> resume(Endpoint endpoint) {
        return endpoints.notified(endpoint, () -> Panache.getSession().chain(session -> session.createNativeQuery("""
                                UPDATE integration_endpoint SET login_failures = 0, paused_at = NULL, updated_at = now()
                                 WHERE id = ?1 AND paused_at IS NOT NULL
                                RETURNING true""", Boolean.class)
                        .setParameter(1, endpoint.id())
                        .getSingleResultOrNull()), Objects::nonNull)
                .map(resumed -> resumed != null);
    }

    private static State unchanged(Endpoint endpoint) {
        return new State(endpoint.loginFailures(), endpoint.paused(), false, false);
    }
}
