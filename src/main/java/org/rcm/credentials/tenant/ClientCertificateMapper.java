package org.rcm.credentials.tenant;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.jboss.logging.Logger;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.config.BrokerConfig.IdentityMapping;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.metrics.BrokerMetrics;
import org.rcm.credentials.secretstore.SecretNames;

/**
 * Maps a verified client certificate to a tenant and role, trying the configured mappings in
 * order: the SPIFFE URI SAN, a subject-CN pattern, the {@code client_certificate} table. With
 * the SPIFFE mapping configured, a certificate that carries any {@code spiffe://} URI SAN is
 * decided by it alone: an id that maps to no one (two ids, a foreign trust domain, a port or
 * user information, another path) refuses the certificate, never falling through to its
 * subject CN or the table.
 * Results are cached per certificate for a minute (every call on a connection presents the
 * same one), so a change to the table applies within a minute.
 */
@ApplicationScoped
public class ClientCertificateMapper {

    private static final Logger LOG = Logger.getLogger(ClientCertificateMapper.class);
    private static final int URI_SAN = 6;

    private final String trustDomain;
    private final List<IdentityMapping> mappings;
    private final Optional<Pattern> subjectCnPattern;
    private final CertificateTable table;
    private final RevocationList revocations;
    private final BrokerMetrics metrics;
    /** Weak keys compare by identity: every call on a TLS session presents the same certificate object. */
    private final Cache<X509Certificate, Mapped> cache = Caffeine.newBuilder()
            .weakKeys()
            .maximumSize(10_000)
            .expireAfterWrite(Duration.ofMinutes(1))
            .build();

    /** A certificate's mapping, and what names it in the revocation list, computed once per certificate. */
    private record Mapped(Optional<TenantIdentity> identity, String fingerprint, String serialKey) {
    }

    public ClientCertificateMapper(BrokerConfig config, CertificateTable table, RevocationList revocations,
            BrokerMetrics metrics) {
        this.trustDomain = config.identity().trustDomain();
        this.mappings = config.identity().mappings();
        this.subjectCnPattern = config.identity().subjectCnPattern().map(Pattern::compile);
        this.table = table;
        this.revocations = revocations;
        this.metrics = metrics;
        if (mappings.contains(IdentityMapping.SUBJECT_CN) && subjectCnPattern.isEmpty()) {
            throw new IllegalStateException("rcm.identity.subject-cn-pattern is required by the subject-cn mapping");
        }
    }

    /**
     * The tenant and role of a certificate, or empty when no mapping applies or the tenant
     * revoked it ({@link RevocationList}: checked on every call, logged and counted).
     */
    public Uni<Optional<TenantIdentity>> map(X509Certificate certificate) {
        Mapped cached = cache.getIfPresent(certificate);
        if (cached != null) {
            return Uni.createFrom().item(unlessRevoked(cached));
        }
        return mapUncached(certificate, 0)
                .map(identity -> new Mapped(identity, CertificateTable.fingerprint(certificate),
                        RevocationList.serialKey(certificate)))
                .invoke(mapped -> cache.put(certificate, mapped))
                .map(this::unlessRevoked);
    }

    private Optional<TenantIdentity> unlessRevoked(Mapped mapped) {
        if (mapped.identity().isEmpty()
                || !revocations.isRevoked(mapped.fingerprint(), mapped.serialKey(), mapped.identity().get().tenant())) {
            return mapped.identity();
        }
        metrics.revokedCertificate();
        LOG.warnf("Refused a revoked client certificate of tenant %s (SHA-256 %s)", mapped.identity().get().tenant(),
                mapped.fingerprint());
        return Optional.empty();
    }

    /** Forgets cached mappings, e.g. after the certificate table changed. */
    public void invalidateAll() {
        cache.invalidateAll();
    }

    private Uni<Optional<TenantIdentity>> mapUncached(X509Certificate certificate, int index) {
        if (index == 0 && mappings.contains(IdentityMapping.SPIFFE) && !spiffeIds(certificate).isEmpty()) {
            return Uni.createFrom().item(fromSpiffeId(certificate));
        }
        if (index == mappings.size()) {
            return Uni.createFrom().item(Optional.empty());
        }
        Uni<Optional<TenantIdentity>> attempt = switch (mappings.get(index)) {
            case SPIFFE -> Uni.createFrom().item(fromSpiffeId(certificate));
            case SUBJECT_CN -> Uni.createFrom().item(fromSubjectCn(certificate));
            case TABLE -> table.lookup(certificate);
        };
        return attempt.chain(result -> result.isPresent()
                ? Uni.createFrom().item(result)
                : mapUncached(certificate, index + 1));
    }

    /**
     * {@code spiffe://{trust-domain}/tenant/{tenant}/{role}}, exactly: no port, user information,
     * query or fragment; a certificate with several SPIFFE ids maps to none.
     */
    Optional<TenantIdentity> fromSpiffeId(X509Certificate certificate) {
        List<String> spiffeIds = spiffeIds(certificate);
        if (spiffeIds.size() != 1) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = URI.create(spiffeIds.get(0));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String[] path = uri.getRawPath() == null ? new String[0] : uri.getRawPath().split("/", -1);
        if (!"spiffe".equals(uri.getScheme()) || !trustDomain.equals(uri.getHost()) || uri.getPort() != -1
                || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
                || path.length != 4 || !path[0].isEmpty() || !path[1].equals("tenant")) {
            return Optional.empty();
        }
        return identity(path[2], path[3], spiffeIds.get(0));
    }

    Optional<TenantIdentity> fromSubjectCn(X509Certificate certificate) {
        String subject = certificate.getSubjectX500Principal().getName();
        return commonName(subject)
                .map(cn -> subjectCnPattern.orElseThrow().matcher(cn))
                .filter(Matcher::matches)
                .flatMap(m -> identity(m.group("tenant"), m.group("role"), subject));
    }

    private static Optional<TenantIdentity> identity(String tenant, String role, String principal) {
        try {
            SecretNames.requireId("tenant_id", tenant);
        } catch (BrokerException e) {
            return Optional.empty();
        }
        return Role.parse(role).map(r -> new TenantIdentity(tenant, r, principal));
    }

    /** The certificate's URI SANs in the {@code spiffe} scheme, whatever their case. */
    private static List<String> spiffeIds(X509Certificate certificate) {
        return uriSans(certificate).stream()
                .filter(uri -> uri.regionMatches(true, 0, "spiffe:", 0, "spiffe:".length()))
                .toList();
    }

    private static List<String> uriSans(X509Certificate certificate) {
        try {
            Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
            List<String> uris = new ArrayList<>();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() == 2 && Integer.valueOf(URI_SAN).equals(san.get(0)) && san.get(1) instanceof String s) {
                        uris.add(s);
                    }
                }
            }
            return uris;
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }

    private static Optional<String> commonName(String subject) {
        try {
            for (Rdn rdn : new LdapName(subject).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return Optional.of(rdn.getValue().toString());
                }
            }
            return Optional.empty();
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
    }
}
