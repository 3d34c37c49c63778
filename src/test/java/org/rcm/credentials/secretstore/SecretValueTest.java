package org.rcm.credentials.secretstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The secret value type shows nothing of itself in text meant for people. */
class SecretValueTest {

    private static final SecretValue VALUE = new SecretValue("alice@example.org", "s3cr3t-P4ss",
            "JBSWY3DPEHPK3PXP", Map.of("portal_name", "BlueCross"));

    @Test
    void toStringIsRedacted() {
        assertEquals("SecretValue[***]", VALUE.toString());
        assertThat(String.format("stored %s", VALUE))
                .doesNotContain("alice")
                .doesNotContain("s3cr3t")
                .doesNotContain("JBSWY3DPEHPK3PXP")
                .doesNotContain("BlueCross");
    }

    @Test
    void unreadableJsonIsRefusedWithoutEchoingIt() {
        assertThatThrownBy(() -> SecretValue.fromJson("{\"password\": \"s3cr3t-P4ss\""))
                .isInstanceOf(IllegalArgumentException.class)
                .message().doesNotContain("s3cr3t");
        assertThatThrownBy(() -> SecretValue.fromJson("\"s3cr3t-P4ss\""))
                .isInstanceOf(IllegalArgumentException.class)
                .message().doesNotContain("s3cr3t");
    }

    @Test
    void jsonFormRoundTrips() {
        assertEquals(VALUE, SecretValue.fromJson(VALUE.toJson()));
    }
}
