package org.rcm.credentials.credential;

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
 * The packaged broker in the prod profile does not start without a usable
 * {@code RCM_IDEMPOTENCY_KEY}, says which setting is wrong, and never prints the key.
 */
class IdempotencyKeyRequiredIT {

    @Test
    void brokerWithoutAKeyDoesNotStartAndNamesTheVariable() throws IOException {
        String log = failedStart(null, "idempotency-key-missing.log");

        assertThat(log).contains("RCM_IDEMPOTENCY_KEY (rcm.idempotency.key) is not set")
                .contains("openssl rand -base64 32");
    }

    @Test
    void brokerWithAShortKeyDoesNotStartAndDoesNotPrintTheKey() throws IOException {
        String shortKey = "c2hvcnQta2V5LW9mLTI2LWJ5dGVzLW9ubHk=";

        String log = failedStart(shortKey, "idempotency-key-short.log");

        assertThat(log).contains("RCM_IDEMPOTENCY_KEY (rcm.idempotency.key) is too short (26 bytes)")
                .doesNotContain(shortKey);
    }

    /** Starts the broker with this key (null: none), expects it to exit, and returns its output. */
    private static String failedStart(String key, String logName) throws IOException {
        Map<String, String> config = new HashMap<>(TestEnvironment.brokerConfig());
        config.remove("rcm.idempotency.key");
        if (key != null) {
            config.put("rcm.idempotency.key", key);
        }
        Path log = Path.of("target", logName);
        try (LocalBroker broker = LocalBroker.start(config, 0, 0, log, List.of())) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> broker.awaitReady(Duration.ofSeconds(60)));
            assertThat(e).hasMessageStartingWith("the broker exited with status");
        }
        return Files.readString(log);
    }
}
