package org.rcm.credentials.rotation;

import static org.rcm.credentials.reactive.Timestamps.utc;

import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jboss.logging.Logger;
import org.rcm.credentials.config.BrokerClock;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.metrics.BrokerMetrics;

/**
 * Sends the rotation workflow's e-mails from the {@code notification_outbox}, where each event
 * was queued in the transaction that caused it (so a mail is never lost, and never holds up or
 * fails the call). One run sends each address one mail listing all its events; a mail names
 * tenants, portals and what happened, never a password, seed, secret name or account. A failed
 * delivery is retried with a backoff up to an hour, and counted.
 */
@ApplicationScoped
public class Notifications {

    /** One queued event. */
    record Event(long id, String tenantId, String portalId, String kind, List<String> recipients, Instant at) {
    }

    private static final Logger LOG = Logger.getLogger(Notifications.class);
    private static final int BATCH = 500;
    private static final String CLAIM = """
            UPDATE notification_outbox SET claimed_until = $1 + interval '5 minutes', attempts = attempts + 1
             WHERE id IN (SELECT id FROM notification_outbox
                           WHERE sent_at IS NULL AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1)
                           ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
            RETURNING id, tenant_id, portal_id, kind, recipients, created_at""";
    private static final Map<String, String> WHAT = Map.of(
            "rotation_failed", "a worker-driven rotation failed; the previous password stays current",
            "rotation_expired", "a worker-driven rotation expired before it was completed; the previous password stays"
                    + " current (if the new one was set on the portal, an admin stores it with StoreCredentials)",
            "rotation_due", "the password is due for rotation",
            "rotation_overdue", "the password's rotation is overdue",
            "credential_paused", "logins with the credentials failed; they are paused (handed out to nobody) until an"
                    + " admin stores new ones, completes a rotation or resumes them");

    private final Pool pool;
    private final ReactiveMailer mailer;
    private final BrokerMetrics metrics;
    private final BrokerClock clock;
    private final boolean enabled;

    public Notifications(Pool pool, ReactiveMailer mailer, BrokerMetrics metrics, BrokerClock clock, BrokerConfig config) {
        this.pool = pool;
        this.mailer = mailer;
        this.metrics = metrics;
        this.clock = clock;
        this.enabled = config.notifications().smtpHost().isPresent();
    }

    /** Whether e-mail is configured; without it nothing is queued. */
    public boolean enabled() {
        return enabled;
    }

    /** Sends what is queued and due; answers how many events were delivered. */
    public Uni<Integer> drain() {
        if (!enabled) {
            return Uni.createFrom().item(0);
        }
        Instant now = clock.now();
        return pool.preparedQuery(CLAIM).execute(Tuple.of(utc(now), BATCH))
                .map(rows -> {
                    List<Event> events = new ArrayList<>();
                    for (Row row : rows) {
                        events.add(new Event(row.getLong(0), row.getString(1), row.getString(2), row.getString(3),
                                List.of(row.getArrayOfStrings(4)), row.getOffsetDateTime(5).toInstant()));
                    }
                    return events;
                })
                .chain(events -> events.isEmpty() ? Uni.createFrom().item(0) : send(events, now));
    }

    private Uni<Integer> send(List<Event> events, Instant now) {
        Map<String, List<Event>> byAddress = new TreeMap<>();
        events.forEach(event -> event.recipients().forEach(to -> byAddress.computeIfAbsent(to, k -> new ArrayList<>()).add(event)));
        Set<String> failed = new HashSet<>();
        return Multi.createFrom().iterable(byAddress.entrySet())
                .onItem().transformToUniAndConcatenate(entry -> mailer.send(mail(entry.getKey(), entry.getValue()))
                        .onFailure().invoke(e -> {
                            failed.add(entry.getKey());
                            LOG.warnf("Rotation e-mail not delivered (%s); retrying later", e.getClass().getSimpleName());
                        })
                        .onFailure().recoverWithNull())
                .collect().last()
                .chain(() -> {
                    List<Long> sent = new ArrayList<>();
                    List<Long> retry = new ArrayList<>();
                    for (Event event : events) {
                        (event.recipients().stream().anyMatch(failed::contains) ? retry : sent).add(event.id());
                    }
                    metrics.notifications("sent", sent.size());
                    metrics.notifications("failed", retry.size());
                    return pool.preparedQuery("UPDATE notification_outbox SET sent_at = $2, claimed_until = NULL WHERE id = ANY($1)")
                            .execute(Tuple.of(sent.toArray(Long[]::new), utc(now)))
                            .chain(() -> pool.preparedQuery("UPDATE notification_outbox SET claimed_until = NULL,"
                                            + " next_attempt_at = $2 + make_interval(secs => least(3600, 30 * power(2, attempts)))"
                                            + " WHERE id = ANY($1)")
                                    .execute(Tuple.of(retry.toArray(Long[]::new), utc(now))))
                            .replaceWith(sent.size());
                });
    }

    /** One mail to one address listing its events: tenants, portals and what happened, nothing secret. */
    static Mail mail(String to, List<Event> events) {
        StringBuilder text = new StringBuilder("The credential broker reports (times in UTC):\n\n");
        for (Event event : events) {
            text.append("- ").append(event.at()).append("  tenant ").append(event.tenantId()).append(", portal ")
                    .append(event.portalId()).append(": ").append(WHAT.get(event.kind())).append(".\n");
        }
        text.append("\nThis message names no password, seed or secret location. Act through the broker's admin API.\n");
        String subject = events.size() == 1
                ? "Credential rotation: " + WHAT.get(events.get(0).kind()).split(";")[0] + " (portal " + events.get(0).portalId() + ")"
                : "Credential rotation: " + events.size() + " events for your portals";
        return Mail.withText(to, subject, text.toString());
    }

}
