package org.rcm.credentials.config;

import io.quarkus.flyway.FlywayConfigurationCustomizer;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.jboss.logging.Logger;

/**
 * Outside dev and test the service talks to Postgres only over TLS that verifies the server's
 * certificate and host name: {@code RCM_DB_SSL_MODE=verify-full} (the production default) and
 * {@code RCM_DB_CA_CERT}, the CA bundle to trust. Checked when the migrations are about to
 * connect, the first use of the database, so that a start-up without them fails before
 * anything is sent in the clear. {@code rcm.database.allow-plaintext} (dev, test and the local
 * run) waives the rule.
 */
@Singleton
public class DatabaseTlsPolicy implements FlywayConfigurationCustomizer {

    private static final Logger LOG = Logger.getLogger(DatabaseTlsPolicy.class);
    static final String VERIFY_FULL = "verify-full";

    private final Optional<String> sslMode;
    private final Optional<List<String>> caCertificates;
    private final boolean plaintextAllowed;

    public DatabaseTlsPolicy(
            @ConfigProperty(name = "quarkus.datasource.reactive.postgresql.ssl-mode") Optional<String> sslMode,
            @ConfigProperty(name = "quarkus.datasource.reactive.trust-certificate-pem.certs") Optional<List<String>> caCertificates,
            BrokerConfig config) {
        this.sslMode = sslMode;
        this.caCertificates = caCertificates;
        this.plaintextAllowed = config.database().allowPlaintext();
    }

    @Override
    public void customize(FluentConfiguration configuration) {
        check(sslMode, caCertificates.filter(list -> !list.isEmpty()).isPresent(), plaintextAllowed)
                .ifPresent(problem -> {
                    throw new IllegalStateException(problem);
                });
        if (plaintextAllowed && !sslMode.map(VERIFY_FULL::equalsIgnoreCase).orElse(false)) {
            LOG.warn("The database connection is not verified TLS (rcm.database.allow-plaintext): for development only");
        }
    }

    /** What is wrong with the settings, if anything. */
    static Optional<String> check(Optional<String> sslMode, boolean caConfigured, boolean plaintextAllowed) {
        if (plaintextAllowed) {
            return Optional.empty();
        }
        String mode = sslMode.orElse("disable");
        if (!VERIFY_FULL.equalsIgnoreCase(mode)) {
            return Optional.of("the database connection must use TLS with certificate and host name verification:"
                    + " set RCM_DB_SSL_MODE=verify-full (it is " + mode + ") and RCM_DB_CA_CERT to the database"
                    + " server's CA bundle");
        }
        if (!caConfigured) {
            return Optional.of("RCM_DB_CA_CERT is not set: give the database server's CA bundle (PEM) for"
                    + " RCM_DB_SSL_MODE=verify-full");
        }
        return Optional.empty();
    }
}
