package org.rcm.credentials.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.local.LocalBroker;
import org.rcm.credentials.support.TestEnvironment;

/**
 * The packaged broker in the prod profile refuses a database connection without verified TLS,
 * and says so before it connects.
 */
class DatabaseTlsRequiredIT {

    @Test
    void plainTcpToTheDatabaseStopsTheStartBeforeAnyConnection() throws IOException {
        Map<String, String> config = new HashMap<>(TestEnvironment.brokerConfig());
        config.put("rcm.database.allow-plaintext", "false");
        Path log = Path.of("target", "database-tls-required.log");

        try (LocalBroker broker = LocalBroker.start(config, 0, 0, log, List.of())) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> broker.awaitReady(Duration.ofSeconds(60)));
            assertThat(e).hasMessageStartingWith("the broker exited with status");
        }

        assertThat(Files.readString(log))
                .contains("the database connection must use TLS with certificate and host name verification:"
                        + " set RCM_DB_SSL_MODE=verify-full (it is disable)")
                .doesNotContain("Successfully validated") // Flyway never reached the database
                .doesNotContain("Current version of schema");
    }
}
