package org.rcm.credentials.secretstore;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Secrets Manager recovery window is checked when the configuration mapping is built, as
 * at start-up (with Quarkus' duration format, as Quarkus reads it): only the values
 * DeleteSecret accepts pass.
 */
class RecoveryWindowValidationTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 7, 8, 29, 30})
    void windowsSecretsManagerAcceptsAreRead(int days) {
        assertEquals(days, config(String.valueOf(days)).recoveryWindowDays());
    }

    @Test
    void defaultWindowIsSevenDays() {
        assertEquals(7, config(null).recoveryWindowDays());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "6", "31", "90", "-7", "seven", "7.5"})
    void otherWindowsFailTheConfigurationNamingTheVariable(String days) {
        assertThatThrownBy(() -> config(days))
                .hasMessageContaining("RCM_SECRET_STORE_RECOVERY_WINDOW_DAYS")
                .hasMessageContaining("must be 0 (delete without recovery) or 7 to 30 days");
    }

    private static SecretStoreConfig config(String recoveryWindowDays) {
        Map<String, String> properties = new HashMap<>(Map.of(
                "rcm.environment", "test",
                "rcm.aws.account-id", "000000000000",
                "rcm.identity.trust-domain", "test.rcm"));
        if (recoveryWindowDays != null) {
            properties.put("rcm.secret-store.recovery-window-days", recoveryWindowDays);
        }
        return new SmallRyeConfigBuilder()
                .withConverter(Duration.class, 100, new DurationConverter())
                .withMapping(SecretStoreConfig.class)
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .build()
                .getConfigMapping(SecretStoreConfig.class);
    }
}
