package org.rcm.credentials.rotation;

import static org.rcm.credentials.reactive.Timestamps.utc;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.rcm.credentials.config.BrokerClock;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.reactive.VertxContexts;
import org.rcm.credentials.secretstore.SecretNames;
import org.rcm.credentials.tenant.Caller;

/**
 * Rotation schedules ({@code credential_rotation_schedule}), each of one portal of the
 * caller's tenant: set, read, and the due ones listed. Successful stores and rotations move a
 * schedule on in the same transaction as the change itself ({@code EndpointRepository}).
 */
@ApplicationScoped
public class Schedules {

    /** A portal's schedule as the RPCs show it. */
    public record Schedule(int intervalDays, boolean autoRotate, List<String> emails, Instant nextRotationAt,
            Instant lastRotatedAt, String lastResult, Instant lastResultAt) {
    }

    /** One due rotation. */
    public record Due(String portalId, Instant nextRotationAt, boolean autoRotate) {
    }

    /** A page of due rotations; {@code nextPageToken} empty on the last. */
    public record DuePage(List<Due> due, String nextPageToken) {
    }

    private static final String UPSERT = """
            INSERT INTO credential_rotation_schedule AS s
                   (endpoint_id, rotation_interval_days, auto_rotate, notification_emails, next_rotation_at, updated_at)
            SELECT e.id, $3, $4, $5, CASE WHEN $6 THEN $7 ELSE COALESCE(e.last_rotated_at, $7) + make_interval(days => $3) END, $7
              FROM integration_endpoint e
             WHERE e.tenant_id = $1 AND e.portal_id = $2
            ON CONFLICT (endpoint_id) DO UPDATE
               SET rotation_interval_days = EXCLUDED.rotation_interval_days, auto_rotate = EXCLUDED.auto_rotate,
                   notification_emails = EXCLUDED.notification_emails, next_rotation_at = EXCLUDED.next_rotation_at,
                   reminded_at = NULL, escalated_at = NULL, updated_at = EXCLUDED.updated_at
            RETURNING s.next_rotation_at""";
    private static final String GET = """
            SELECT s.rotation_interval_days, s.auto_rotate, s.notification_emails, s.next_rotation_at,
                   e.last_rotated_at, s.last_result, s.last_result_at
              FROM credential_rotation_schedule s JOIN integration_endpoint e ON e.id = s.endpoint_id
             WHERE e.tenant_id = $1 AND e.portal_id = $2""";
    /** Keyset paging on (next_rotation_at, portal_id), served by the next_rotation_at index. */
    private static final String DUE = """
            SELECT e.portal_id, s.next_rotation_at, s.auto_rotate
              FROM credential_rotation_schedule s JOIN integration_endpoint e ON e.id = s.endpoint_id
             WHERE e.tenant_id = $1 AND s.next_rotation_at < $2 AND (s.next_rotation_at, e.portal_id) > ($3, $4)
             ORDER BY s.next_rotation_at, e.portal_id
             LIMIT $5""";
    private static final OffsetDateTime BEGINNING = OffsetDateTime.parse("0001-01-01T00:00:00Z");

    private final Pool pool;
    private final BrokerClock clock;
    private final Duration timeout;

    public Schedules(Pool pool, BrokerClock clock, BrokerConfig config) {
        this.pool = pool;
        this.clock = clock;
        this.timeout = config.databaseTimeout();
    }

    /** Creates or replaces the portal's schedule; answers its next rotation time. NOT_FOUND for an unknown portal. */
    public Uni<Instant> set(Caller caller, String portalId, int intervalDays, boolean autoRotate, List<String> emails,
            boolean rotateNow) {
        String portal = SecretNames.requireId("portal_id", portalId);
        int interval = ScheduleRules.intervalDays(intervalDays);
        String[] addresses = ScheduleRules.emails(emails).toArray(String[]::new);
        return bounded(pool.preparedQuery(UPSERT).execute(Tuple.tuple(List.of(caller.tenant(), portal, interval, autoRotate,
                        addresses, rotateNow, utc(clock.now())))))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        throw notFound(portal);
                    }
                    return rows.iterator().next().getOffsetDateTime(0).toInstant();
                });
    }

    /** The portal's schedule; NOT_FOUND when the portal is unknown or has none. */
    public Uni<Schedule> get(Caller caller, String portalId) {
        String portal = SecretNames.requireId("portal_id", portalId);
        return bounded(pool.preparedQuery(GET).execute(Tuple.of(caller.tenant(), portal)))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        throw BrokerException.notFound("NO_SCHEDULE", "portal " + portal + " has no rotation schedule");
                    }
                    Row row = rows.iterator().next();
                    return new Schedule(row.getInteger(0), row.getBoolean(1), List.of(row.getArrayOfStrings(2)),
                            instant(row.getOffsetDateTime(3)), instant(row.getOffsetDateTime(4)), row.getString(5),
                            instant(row.getOffsetDateTime(6)));
                });
    }

    /** The tenant's rotations due before {@code dueBefore} (null: now), earliest first, a page at a time. */
    public Uni<DuePage> due(Caller caller, Instant dueBefore, int pageSize, String pageToken) {
        int size = ScheduleRules.pageSize(pageSize);
        PageToken after = PageToken.parse(pageToken);
        Instant before = dueBefore == null ? clock.now() : dueBefore;
        return bounded(pool.preparedQuery(DUE).execute(Tuple.tuple(List.of(caller.tenant(), utc(before),
                        after == null ? BEGINNING : utc(after.nextRotationAt()), after == null ? "" : after.portalId(),
                        size + 1))))
                .map(rows -> {
                    List<Due> due = new ArrayList<>();
                    for (Row row : rows) {
                        due.add(new Due(row.getString(0), row.getOffsetDateTime(1).toInstant(), row.getBoolean(2)));
                    }
                    if (due.size() <= size) {
                        return new DuePage(due, "");
                    }
                    List<Due> page = due.subList(0, size);
                    Due last = page.get(size - 1);
                    return new DuePage(List.copyOf(page), new PageToken(last.nextRotationAt(), last.portalId()).encode());
                });
    }

    /** Whether the endpoint's rotation is due now; false without a schedule. */
    public Uni<Boolean> isDue(long endpointId) {
        return bounded(pool.preparedQuery("SELECT next_rotation_at <= $2 FROM credential_rotation_schedule WHERE endpoint_id = $1")
                .execute(Tuple.of(endpointId, utc(clock.now()))))
                .map(rows -> rows.iterator().hasNext() && rows.iterator().next().getBoolean(0));
    }

    /** Where a page of due rotations ends: opaque to callers, checked when it comes back. */
    private record PageToken(Instant nextRotationAt, String portalId) {

        String encode() {
            String raw = nextRotationAt.getEpochSecond() + "." + nextRotationAt.getNano() + ":" + portalId;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
        }

        static PageToken parse(String token) {
            if (token == null || token.isEmpty()) {
                return null;
            }
            try {
                String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
                int colon = raw.indexOf(':');
                String[] time = raw.substring(0, colon).split("\\.");
                return new PageToken(Instant.ofEpochSecond(Long.parseLong(time[0]), Long.parseLong(time[1])),
                        SecretNames.requireId("page_token", raw.substring(colon + 1)));
            } catch (RuntimeException e) {
                throw BrokerException.invalidInput("INVALID_PAGE_TOKEN", "page_token is not one this service gave");
            }
        }
    }

    static BrokerException notFound(String portal) {
        return BrokerException.notFound("PORTAL_NOT_FOUND", "portal " + portal + " is not registered");
    }


    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    private <T> Uni<T> bounded(Uni<T> query) {
        return VertxContexts.database(query, timeout);
    }
}
