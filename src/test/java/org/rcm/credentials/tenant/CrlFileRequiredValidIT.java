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
import org.rcm.credentials.local.DevPki;
import org.rcm.credentials.local.LocalBroker;
import org.rcm.credentials.local.LocalPki;
import org.rcm.credentials.support.TestEnvironment;

/** The packaged broker does not start with a configured CRL file that its client CA did not sign. */
class CrlFileRequiredValidIT {

    @Test
    void aCrlNotSignedByTheClientCaFailsStartUp() throws IOException {
        DevPki.Authority ca = LocalPki.load(TestEnvironment.pkiDir(), TestEnvironment.TRUST_DOMAIN).ca();
        Path forged = ca.writeCrl(Path.of("target", "forged.crl").toAbsolutePath(), List.of(), DevPki.Authority.otherKey());
        Map<String, String> config = new HashMap<>(TestEnvironment.brokerConfig());
        config.put("rcm.identity.crl-files", forged.toString());
        Path log = Path.of("target", "crl-forged.log");

        try (LocalBroker broker = LocalBroker.start(config, 0, 0, log, List.of())) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> broker.awaitReady(Duration.ofSeconds(60)));
            assertThat(e).hasMessageStartingWith("the broker exited with status");
        }

        assertThat(Files.readString(log)).contains("client CRL file 1 is not signed by a CA of the client trust store");
    }
}
