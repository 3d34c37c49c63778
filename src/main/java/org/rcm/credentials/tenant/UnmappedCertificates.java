package org.rcm.credentials.tenant;

import jakarta.enterprise.context.ApplicationScoped;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Calls refused before a tenant is known (a trusted certificate that maps to no tenant, or a
 * revoked one) cannot have a tenant's audit row: they are counted on every call and logged
 * here once per source address per minute, with the certificate's SHA-256 fingerprint and
 * subject (never anything secret), so that a misconfigured or probing client shows in the log
 * without flooding it.
 */
@ApplicationScoped
public class UnmappedCertificates {

    private static final Logger LOG = Logger.getLogger(UnmappedCertificates.class);
    static final Duration EVERY = Duration.ofMinutes(1);
    private static final int MAX_SOURCES = 10_000;

    private final Map<String, Long> lastLogged = new ConcurrentHashMap<>();

    /**
     * A call from {@code source} (an address, or null) presenting {@code certificate} (or null)
     * was refused; true when this one was logged.
     */
    public boolean refused(String source, X509Certificate certificate) {
        long now = System.nanoTime();
        String key = source == null ? "unknown" : source;
        Long last = lastLogged.get(key);
        if (last != null && now - last < EVERY.toNanos()) {
            return false;
        }
        if (lastLogged.size() >= MAX_SOURCES) {
            lastLogged.entrySet().removeIf(entry -> now - entry.getValue() >= EVERY.toNanos());
        }
        if (last == null ? lastLogged.putIfAbsent(key, now) != null : !lastLogged.replace(key, last, now)) {
            return false; // another call from the same source logged it meanwhile
        }
        LOG.warn(message(key, certificate));
        return true;
    }

    static String message(String source, X509Certificate certificate) {
        return "Refused a call from " + source + ": its client certificate (SHA-256 "
                + (certificate == null ? "none" : CertificateTable.fingerprint(certificate)) + ", subject "
                + (certificate == null ? "none" : certificate.getSubjectX500Principal().getName())
                + ") maps to no tenant or is revoked; further refusals from this address are counted"
                + " (rcm_access_unauthenticated_total) and logged again after a minute";
    }
}
