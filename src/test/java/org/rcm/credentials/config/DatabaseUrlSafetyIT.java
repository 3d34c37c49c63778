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

/** A malformed database URL stops the packaged broker without its password reaching the log. */
class DatabaseUrlSafetyIT {

    private static final String PASSWORD = "hunter2-in-the-url";

    @Test
    void malformedUrlWithAPasswordIsNeverEchoed() throws IOException {
        Map<String, String> config = new HashMap<>(TestEnvironment.brokerConfig());
        config.put("quarkus.datasource.reactive.url", "postgresql://rcm:" + PASSWORD + "@localhost:notaport/rcm");
        config.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://rcm:" + PASSWORD + "@localhost:notaport/rcm");
        Path log = Path.of("target", "malformed-database-url.log");

        try (LocalBroker broker = LocalBroker.start(config, 0, 0, log, List.of())) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> broker.awaitReady(Duration.ofSeconds(60)));
            assertThat(e).hasMessageStartingWith("the broker exited with status");
        }

        assertThat(Files.readString(log)).contains("postgresql://****@localhost").doesNotContain(PASSWORD);
    }
}
