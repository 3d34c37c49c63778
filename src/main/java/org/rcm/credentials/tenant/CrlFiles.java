package org.rcm.credentials.tenant;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CRL;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.jboss.logging.Logger;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.metrics.BrokerMetrics;

/**
 * The client CA's revocation lists ({@code rcm.identity.crl-files}), for a CA that publishes
 * CRLs: every certificate listed is refused, whatever its tenant. Each CRL must be signed by a
 * CA of the client trust store, so a file an attacker could write names no certificate the
 * CA did not revoke. Files are read at start (an unreadable or unsigned one fails start-up) and
 * again when one changes; a change that is not valid keeps the previous lists in force, logged
 * and counted ({@code rcm_crl_reload_failures_total}).
 */
@ApplicationScoped
public class CrlFiles {

    private static final Logger LOG = Logger.getLogger(CrlFiles.class);

    private final List<Path> files;
    private final BrokerConfig.Identity config;
    private final TlsConfigurationRegistry tls;
    private final Vertx vertx;
    private final BrokerMetrics metrics;
    /** {@link RevocationList#serialKey} of every listed certificate. */
    private volatile Set<String> revoked = Set.of();
    private volatile List<FileTime> seenVersions = List.of();

    public CrlFiles(BrokerConfig config, TlsConfigurationRegistry tls, Vertx vertx, BrokerMetrics metrics) {
        this.config = config.identity();
        this.files = this.config.crlFiles().orElse(List.of());
        this.tls = tls;
        this.vertx = vertx;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent event) throws IOException, GeneralSecurityException {
        if (files.isEmpty()) {
            return;
        }
        seenVersions = versions();
        load(); // a configured list that cannot be used fails start-up
        vertx.setPeriodic(config.crlCheckPeriod().toMillis(), id -> vertx.executeBlocking(() -> {
            reloadIfChanged();
            return null;
        }).subscribe().with(ignored -> { }, failure -> { }));
    }

    /** Whether a CRL lists the certificate with this {@link RevocationList#serialKey}. */
    public boolean isRevoked(String serialKey) {
        return revoked.contains(serialKey);
    }

    /** Loads the files when one changed since the last attempt; a file that stays invalid is reported once. */
    private void reloadIfChanged() {
        try {
            List<FileTime> versions = versions();
            if (!versions.equals(seenVersions)) {
                seenVersions = versions;
                load();
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            metrics.crlReloadFailed();
            LOG.warnf("Client CRL files not reloaded, the previous lists stay in force: %s",
                    e instanceof GeneralSecurityException ? e.getMessage() : e.getClass().getSimpleName());
        }
    }

    private void load() throws IOException, GeneralSecurityException {
        List<X509Certificate> authorities = trustedAuthorities();
        Set<String> listed = new HashSet<>();
        for (int i = 0; i < files.size(); i++) {
            for (X509CRL crl : read(files.get(i), i + 1)) {
                verify(crl, authorities, i + 1);
                if (crl.getNextUpdate() != null && crl.getNextUpdate().toInstant().isBefore(Instant.now())) {
                    LOG.warnf("Client CRL file %d is past its next update; publish a fresh one", i + 1);
                }
                Set<? extends X509CRLEntry> entries = crl.getRevokedCertificates();
                for (X509CRLEntry entry : entries == null ? Set.<X509CRLEntry>of() : entries) {
                    X500Principal issuer = entry.getCertificateIssuer() != null
                            ? entry.getCertificateIssuer() : crl.getIssuerX500Principal();
                    listed.add(RevocationList.serialKey(entry.getSerialNumber(), issuer));
                }
            }
        }
        revoked = Collections.unmodifiableSet(listed);
        LOG.infof("Client CRL files loaded: %d revoked certificates", listed.size());
    }

    private List<FileTime> versions() throws IOException {
        List<FileTime> versions = new ArrayList<>();
        for (Path file : files) {
            versions.add(Files.getLastModifiedTime(file));
        }
        return versions;
    }

    private static List<X509CRL> read(Path file, int number) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509CRL> crls = new ArrayList<>();
            for (CRL crl : CertificateFactory.getInstance("X.509").generateCRLs(in)) {
                crls.add((X509CRL) crl);
            }
            if (crls.isEmpty()) {
                throw new GeneralSecurityException("client CRL file " + number + " holds no CRL");
            }
            return crls;
        }
    }

    private static void verify(X509CRL crl, List<X509Certificate> authorities, int number) throws GeneralSecurityException {
        for (X509Certificate authority : authorities) {
            if (authority.getSubjectX500Principal().equals(crl.getIssuerX500Principal())) {
                try {
                    crl.verify(authority.getPublicKey());
                    return;
                } catch (GeneralSecurityException e) {
                    // another CA of the same name may have signed it
                }
            }
        }
        throw new GeneralSecurityException("client CRL file " + number + " is not signed by a CA of the client trust store");
    }

    private List<X509Certificate> trustedAuthorities() throws GeneralSecurityException {
        KeyStore store = tls.get("grpc").orElseThrow(() -> new IllegalStateException("no grpc TLS configuration"))
                .getTrustStore();
        List<X509Certificate> authorities = new ArrayList<>();
        for (String alias : Collections.list(store.aliases())) {
            if (store.getCertificate(alias) instanceof X509Certificate certificate) {
                authorities.add(certificate);
            }
        }
        return authorities;
    }
}
