package org.rcm.credentials.tenant;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;
import org.jboss.logging.Logger;
import org.rcm.credentials.cache.CacheInvalidationBus;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.reactive.VertxContexts;

/**
 * Client certificates revoked before they expire ({@code revoked_certificate}), by SHA-256
 * fingerprint or by serial number and issuer, each for one tenant. Every replica holds the
 * list in memory and reloads it when a revocation's notice arrives (sent inside the revoking
 * transaction), when its invalidation listener reconnects, and every {@link #REFRESH}: a
 * revocation is effective everywhere within seconds. Until the first load, every certificate
 * counts as revoked (fail closed), and the replica is not ready ({@code revocation-list}).
 * Certificates listed in the client CA's CRL files ({@link CrlFiles}) are refused too.
 */
@ApplicationScoped
public class RevocationList {

    /** What revoked a certificate, as the RPCs name it. */
    public record Entry(String fingerprint, String serialNumber, String issuer, String reason, String revokedBy,
            Instant revokedAt) {
    }

    /** The answer to a revocation: when, and whether it was revoked before. */
    public record Revoked(Instant revokedAt, boolean alreadyRevoked) {
    }

    private static final Logger LOG = Logger.getLogger(RevocationList.class);
    private static final Duration REFRESH = Duration.ofSeconds(60);
    private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SERIAL = Pattern.compile("[0-9a-fA-F:]{1,128}");
    private static final CacheInvalidationBus.Notice NOTICE = CacheInvalidationBus.notice("revoked-certificates");

    private final Pool pool;
    private final Vertx vertx;
    private final CacheInvalidationBus bus;
    private final CrlFiles crls;
    private final Duration timeout;
    /** "tenant fingerprint" and "tenant serial issuer" keys; null until the first load. */
    private volatile Set<String> revoked;

    public RevocationList(Pool pool, Vertx vertx, CacheInvalidationBus bus, CrlFiles crls, BrokerConfig config) {
        this.pool = pool;
        this.crls = crls;
        this.vertx = vertx;
        this.bus = bus;
        this.timeout = config.databaseTimeout();
        bus.subscribe(hash -> {
            if (hash.equals(NOTICE.payload())) {
                reloadInBackground();
            }
        }, this::reloadInBackground);
    }

    void start(@Observes StartupEvent event) {
        reloadInBackground();
        vertx.setPeriodic(REFRESH.toMillis(), id -> reloadInBackground());
    }

    /** Whether the list has been loaded once: until then every certificate counts as revoked. */
    public boolean loaded() {
        return revoked != null;
    }

    /**
     * What names a certificate in the list besides its fingerprint: its serial number and
     * issuer. Computed once per certificate (the mapper keeps it), not per call.
     */
    public static String serialKey(X509Certificate certificate) {
        return serialKey(certificate.getSerialNumber(), certificate.getIssuerX500Principal());
    }

    static String serialKey(BigInteger serialNumber, X500Principal issuer) {
        return serial(serialNumber) + " " + issuer(issuer);
    }

    /**
     * Whether the certificate with {@code fingerprint} and {@code serialKey}, mapped to
     * {@code tenant}, is revoked (or the list not loaded yet).
     */
    public boolean isRevoked(String fingerprint, String serialKey, String tenant) {
        Set<String> current = revoked;
        return current == null || current.contains(tenant + " " + fingerprint) || current.contains(tenant + " " + serialKey)
                || crls.isRevoked(serialKey);
    }

    /**
     * Revokes a certificate of {@code tenant}: by fingerprint, or by serial number and issuer.
     * INVALID_ARGUMENT for anything else; the notice goes in the same transaction.
     */
    public Uni<Revoked> revoke(String tenant, String fingerprint, String serialNumber, String issuer, String reason,
            String revokedBy) {
        Tuple row = validated(tenant, fingerprint, serialNumber, issuer, reason, revokedBy);
        return bounded(pool.withTransaction(connection -> connection.preparedQuery("""
                        INSERT INTO revoked_certificate (tenant_id, fingerprint_sha256, serial_number, issuer, reason, revoked_by)
                        VALUES ($1, $2, $3, $4, $5, $6)
                        ON CONFLICT DO NOTHING RETURNING revoked_at""")
                        .execute(row)
                        .call(() -> connection.preparedQuery("SELECT pg_notify($1, $2)")
                                .execute(Tuple.of(NOTICE.channel(), NOTICE.payload())))
                        .map(inserted -> inserted.iterator().hasNext()
                                ? new Revoked(inserted.iterator().next().getOffsetDateTime(0).toInstant(), false)
                                : null)))
                .chain(inserted -> inserted != null ? Uni.createFrom().item(inserted) : existing(row))
                .call(this::reload); // in effect on this replica when the call answers; the notice reaches the others
    }

    /** The tenant's revocations, newest first. */
    public Uni<List<Entry>> list(String tenant) {
        return bounded(pool.preparedQuery("SELECT fingerprint_sha256, serial_number, issuer, reason, revoked_by, revoked_at"
                        + " FROM revoked_certificate WHERE tenant_id = $1 ORDER BY revoked_at DESC, id DESC")
                .execute(Tuple.of(tenant)))
                .map(rows -> {
                    List<Entry> entries = new ArrayList<>();
                    for (Row r : rows) {
                        entries.add(new Entry(r.getString(0), r.getString(1), r.getString(2), r.getString(3),
                                r.getString(4), r.getOffsetDateTime(5).toInstant()));
                    }
                    return entries;
                });
    }

    private Uni<Revoked> existing(Tuple row) {
        return bounded(pool.preparedQuery("SELECT revoked_at FROM revoked_certificate WHERE tenant_id = $1"
                        + " AND fingerprint_sha256 IS NOT DISTINCT FROM $2 AND serial_number IS NOT DISTINCT FROM $3"
                        + " AND issuer IS NOT DISTINCT FROM $4")
                .execute(Tuple.of(row.getValue(0), row.getValue(1), row.getValue(2), row.getValue(3))))
                .map(rows -> new Revoked(rows.iterator().next().getOffsetDateTime(0).toInstant(), true));
    }

    /** Reads the whole list again; never fails (a failure is logged, and the next refresh retries). */
    private Uni<Void> reload() {
        return pool.query("SELECT tenant_id, fingerprint_sha256, serial_number, issuer FROM revoked_certificate")
                .execute()
                .invoke(rows -> {
                    Set<String> keys = new HashSet<>();
                    for (Row r : rows) {
                        keys.add(r.getString(1) != null ? r.getString(0) + " " + r.getString(1)
                                : r.getString(0) + " " + r.getString(2) + " " + r.getString(3));
                    }
                    revoked = Set.copyOf(keys);
                })
                .onFailure().invoke(failure -> LOG.warnf("Revoked certificates not reloaded (%s); retrying within %d s",
                        failure.getClass().getSimpleName(), REFRESH.toSeconds()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private void reloadInBackground() {
        reload().subscribe().with(ignored -> { });
    }

    private static Tuple validated(String tenant, String fingerprint, String serialNumber, String issuer, String reason,
            String revokedBy) {
        boolean byFingerprint = !fingerprint.isEmpty();
        boolean bySerial = !serialNumber.isEmpty() || !issuer.isEmpty();
        if (byFingerprint == bySerial) {
            throw invalid("give fingerprint_sha256, or serial_number and issuer");
        }
        if (reason.length() > 256 || reason.chars().anyMatch(Character::isISOControl)) {
            throw invalid("reason is longer than 256 characters or contains control characters");
        }
        if (byFingerprint) {
            String normalized = fingerprint.toLowerCase(Locale.ROOT);
            if (!FINGERPRINT.matcher(normalized).matches()) {
                throw invalid("fingerprint_sha256 must be 64 hex digits (SHA-256 of the DER certificate)");
            }
            return Tuple.tuple().addValue(tenant).addValue(normalized).addValue(null).addValue(null)
                    .addValue(reason.isEmpty() ? null : reason).addValue(revokedBy);
        }
        if (!SERIAL.matcher(serialNumber).matches() || issuer.isEmpty()) {
            throw invalid("serial_number must be hex digits (colons allowed) and issuer a distinguished name");
        }
        String canonicalIssuer;
        try {
            canonicalIssuer = issuer(new X500Principal(issuer));
        } catch (IllegalArgumentException e) {
            throw invalid("issuer is not a distinguished name");
        }
        return Tuple.tuple().addValue(tenant).addValue(null)
                .addValue(serial(new BigInteger(serialNumber.replace(":", ""), 16))).addValue(canonicalIssuer)
                .addValue(reason.isEmpty() ? null : reason).addValue(revokedBy);
    }

    private static String serial(BigInteger serial) {
        return serial.toString(16);
    }

    private static String issuer(X500Principal issuer) {
        return issuer.getName(X500Principal.CANONICAL);
    }

    private static BrokerException invalid(String message) {
        return BrokerException.invalidInput("INVALID_REVOCATION", message);
    }

    private <T> Uni<T> bounded(Uni<T> query) {
        return VertxContexts.database(query, timeout);
    }
}
