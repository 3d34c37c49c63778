package org.rcm.credentials.secretstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.config.BrokerClock;

/** The tenant role's settings are checked when the service starts; a wrong ARN is never echoed. */
class TenantRoleValidationTest {

    static final String ROLE = "arn:aws:iam::123456789012:role/rcm-prod-credential-broker-tenant";

    record Settings(Optional<String> arn, boolean enabled, Duration sessionDuration, Duration refreshBefore)
            implements TenantRoleConfig {
        @Override
        public Optional<URI> stsEndpointOverride() {
            return Optional.empty();
        }
    }

    static TenantSessions sessions(Optional<String> arn, boolean enabled, Duration duration, Duration refreshBefore) {
        return new TenantSessions(null, new BrokerClock(), new Settings(arn, enabled, duration, refreshBefore));
    }

    @Test
    void aRoleArnTurnsPerTenantSessionsOnUnlessDisabled() {
        assertTrue(sessions(Optional.of(ROLE), true, Duration.ofHours(1), Duration.ofMinutes(5)).perTenant());
        assertTrue(sessions(Optional.of("arn:aws-us-gov:iam::123456789012:role/path/to/role"), true,
                Duration.ofHours(1), Duration.ofMinutes(5)).perTenant());
        assertFalse(sessions(Optional.of(ROLE), false, Duration.ofHours(1), Duration.ofMinutes(5)).perTenant());
        assertFalse(sessions(Optional.empty(), true, Duration.ofHours(1), Duration.ofMinutes(5)).perTenant());
    }

    @Test
    void anArnThatIsNoRolesStopsTheStartWithoutBeingEchoed() {
        for (String wrong : new String[] {"arn:aws:iam::123456789012:user/rcm", "arn:aws:iam::12345:role/r", "rcm-role",
                "arn:aws:sts::123456789012:assumed-role/r/s"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> sessions(Optional.of(wrong), true, Duration.ofHours(1), Duration.ofMinutes(5)));
            assertThat(e.getMessage()).contains("RCM_AWS_TENANT_ROLE_ARN").doesNotContain(wrong).doesNotContain("123456789012");
        }
    }

    @Test
    void sessionDurationAndRefreshMustFitStsLimits() {
        assertThrows(IllegalArgumentException.class,
                () -> sessions(Optional.of(ROLE), true, Duration.ofMinutes(14), Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class,
                () -> sessions(Optional.of(ROLE), true, Duration.ofHours(13), Duration.ofMinutes(5)));
        assertThrows(IllegalArgumentException.class,
                () -> sessions(Optional.of(ROLE), true, Duration.ofHours(1), Duration.ofHours(1)));
        assertTrue(sessions(Optional.of(ROLE), true, Duration.ofMinutes(15), Duration.ofMinutes(14)).perTenant());
    }

    @Test
    void sessionNamesFitStsLimitAndNameTheTenant() {
        assertThat(TenantSessions.sessionName("org-123")).isEqualTo("rcm-org-123");
        assertThat(TenantSessions.sessionName("t".repeat(128))).hasSize(64).startsWith("rcm-t");
    }
}
