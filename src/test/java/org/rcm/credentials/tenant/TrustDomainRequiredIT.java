package org.rcm.credentials.tenant;

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

/** The packaged broker in the prod profile does not start without a SPIFFE trust domain, and says which setting. */
class TrustDomainRequiredIT {

    @Test
    void brokerWithoutATrustDomainDoesNotStartAndNamesTheVariable() throws IOException {
        Map<String, String> config = new HashMap<>(TestEnvironment.brokerConfig());
        config.remove("rcm.identity.trust-domain");
        Path log = Path.of("target", "trust-domain-missing.log");

        try (LocalBroker broker = LocalBroker.start(config, 0, 0, log, List.of())) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> broker.awaitReady(Duration.ofSeconds(60)));
            assertThat(e).hasMessageStartingWith("the broker exited with status");
        }

        assertThat(Files.readString(log)).contains("RCM_IDENTITY_TRUST_DOMAIN");
    }
}
