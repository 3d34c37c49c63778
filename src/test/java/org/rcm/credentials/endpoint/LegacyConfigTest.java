package org.rcm.credentials.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rcm.credentials.secretstore.SecretValue;

/** What RegisterEndpoint may store as a config, and how its legacy credentials are read back. */
class LegacyConfigTest {

    @Test
    void aConfigIsStoredAsOneObjectWithItsNumbersAndCharactersIntact() {
        String config = LegacyConfig.validate("""
                {"limit": 1e400, "big": 123456789012345678901234567890, "name": "caf\\u00e9 \\ud83d\\ude00",
                 "list": [1, {"a": null}]}""");

        assertEquals("{\"limit\":1E+400,\"big\":123456789012345678901234567890,\"name\":\"café \uD83D\uDE00\","
                + "\"list\":[1,{\"a\":null}]}", config);
    }

    @Test
    void credentialsAreReadWithTheirMetadata() {
        String config = LegacyConfig.validate("""
                {"region": "east", "credentials": {"username": "u", "password": "p", "mfa_seed": "JBSWY3DPEHPK3PXP",
                 "metadata": {"portal_type": "insurance"}}}""");

        assertEquals(Optional.of(new SecretValue("u", "p", "JBSWY3DPEHPK3PXP", Map.of("portal_type", "insurance"))),
                LegacyConfig.credentials(config));
        assertEquals(Optional.empty(), LegacyConfig.credentials("{\"region\": \"east\"}"));
        assertEquals(Optional.empty(), LegacyConfig.credentials("{\"note\": \"the credentials moved\"}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"a\": 1} x",
        "{\"a\": 1} {\"b\": 2}",
        "{\"a\": 1, \"a\": 2}",
        "{\"a\": {\"b\": 1, \"b\": 2}}",
        "{\"a\": \"x\\u0000y\"}",
        "{\"a\\u0000\": 1}",
        "{\"a\": [\"\\ud800\"]}",
        "{\"a\": \"\\udc00x\"}",
        "[1]",
        "\"text\"",
        "{\"credentials\": [\"u\", \"p\"]}",
        "{\"credentials\": {\"username\": 1}}",
        "{\"credentials\": {\"username\": null}}",
        "{\"credentials\": {\"metadata\": {\"k\": true}}}",
        "{\"credentials\": {\"token\": \"t\"}}"})
    void whatPostgresOrTheMigrationCannotKeepIsRefused(String json) {
        assertThrows(IllegalArgumentException.class, () -> LegacyConfig.validate(json));
    }

    @Test
    void noMessageQuotesTheConfig() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LegacyConfig.validate("{\"credentials\": {\"password\": \"hunter2\", \"password\": \"x\"}}"));

        assertEquals("legacy_config_json must be exactly one JSON object, without duplicate keys or trailing data",
                e.getMessage());
    }
}
