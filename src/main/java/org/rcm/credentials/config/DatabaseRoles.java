package org.rcm.credentials.config;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Least privilege in Postgres (migration V15): the migrations run as the schema's owner
 * ({@code RCM_DB_MIGRATION_USER}), the service as a runtime login ({@code RCM_DB_USER}) that may
 * only read and append to the audit log. One login for both works, for a quick start, and is
 * warned about at start-up: that login could rewrite the audit trail.
 */
@Singleton
public class DatabaseRoles {

    private static final Logger LOG = Logger.getLogger(DatabaseRoles.class);

    private final String runtimeUser;
    private final Optional<String> migrationUser;

    public DatabaseRoles(@ConfigProperty(name = "quarkus.datasource.username") String runtimeUser,
            @ConfigProperty(name = "quarkus.flyway.username") Optional<String> migrationUser) {
        this.runtimeUser = runtimeUser;
        this.migrationUser = migrationUser;
    }

    void started(@Observes StartupEvent event) {
        if (sameLogin()) {
            LOG.warn("The service runs as the database login that owns the schema (RCM_DB_MIGRATION_USER is unset or"
                    + " equal to RCM_DB_USER): it could alter or delete the audit log. Give it a runtime login of its own"
                    + " (README, \"Database roles\")");
        }
    }

    /** Whether the service and the migrations use one login. */
    public boolean sameLogin() {
        return migrationUser.map(runtimeUser::equals).orElse(true);
    }
}
