package org.rcm.credentials.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Outside dev and test, only verified TLS to Postgres. */
class DatabaseTlsPolicyTest {

    @Test
    void verifyFullWithACaIsTheOnlyWayOutsideDevAndTest() {
        assertEquals(Optional.empty(), DatabaseTlsPolicy.check(Optional.of("verify-full"), true, false));
        assertThat(DatabaseTlsPolicy.check(Optional.of("verify-full"), false, false)).hasValueSatisfying(
                problem -> assertThat(problem).startsWith("RCM_DB_CA_CERT is not set"));
        for (String weaker : new String[] {"disable", "allow", "prefer", "require", "verify-ca"}) {
            assertThat(DatabaseTlsPolicy.check(Optional.of(weaker), true, false)).hasValueSatisfying(problem ->
                    assertThat(problem).contains("set RCM_DB_SSL_MODE=verify-full (it is " + weaker + ")"));
        }
        assertThat(DatabaseTlsPolicy.check(Optional.empty(), true, false)).isPresent();
    }

    @Test
    void devTestAndTheLocalRunMayUsePlainTcp() {
        assertEquals(Optional.empty(), DatabaseTlsPolicy.check(Optional.of("disable"), false, true));
    }
}
