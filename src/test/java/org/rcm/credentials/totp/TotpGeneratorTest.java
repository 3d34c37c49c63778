package org.rcm.credentials.totp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rcm.credentials.credential.TotpSettings;

/**
 * RFC 6238 Appendix B's test vectors, for SHA-1, SHA-256 and SHA-512 with their seeds, in
 * eight digits and cut to six; step boundaries; per-portal settings.
 */
class TotpGeneratorTest {

    private static final String RFC_SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    private final TotpGenerator totp = new TotpGenerator();

    @ParameterizedTest(name = "T={0} -> {1}")
    @CsvSource({
        "59, 287082",
        "1111111109, 081804",
        "1111111111, 050471",
        "1234567890, 005924",
        "2000000000, 279037",
        "20000000000, 353130",
    })
    void matchesTheRfcVectors(long epochSecond, String code) {
        assertEquals(code, totp.generate(RFC_SEED, Instant.ofEpochSecond(epochSecond)).code());
    }

    @ParameterizedTest(name = "{0} T={1} -> {2}")
    @CsvSource({
        "SHA1, 59, 94287082",
        "SHA256, 59, 46119246",
        "SHA512, 59, 90693936",
        "SHA1, 1111111109, 07081804",
        "SHA256, 1111111109, 68084774",
        "SHA512, 1111111109, 25091201",
        "SHA1, 1111111111, 14050471",
        "SHA256, 1111111111, 67062674",
        "SHA512, 1111111111, 99943326",
        "SHA1, 1234567890, 89005924",
        "SHA256, 1234567890, 91819424",
        "SHA512, 1234567890, 93441116",
        "SHA1, 2000000000, 69279037",
        "SHA256, 2000000000, 90698825",
        "SHA512, 2000000000, 38618901",
        "SHA1, 20000000000, 65353130",
        "SHA256, 20000000000, 77737706",
        "SHA512, 20000000000, 47863826",
    })
    void matchesTheRfcVectorsOfEveryAlgorithmInEightDigits(String algorithm, long epochSecond, String code) {
        String ascii = switch (algorithm) {
            case "SHA1" -> "12345678901234567890";
            case "SHA256" -> "12345678901234567890123456789012";
            default -> "1234567890123456789012345678901234567890123456789012345678901234";
        };
        TotpSettings settings = TotpSettings.of(Map.of("totp_algorithm", algorithm, "totp_digits", "8"));

        assertEquals(code, totp.generate(base32(ascii), settings, settings.stepAt(Instant.ofEpochSecond(epochSecond))).code());
    }

    @Test
    void aStepRunsFromItsFirstSecondToTheNextStepsFirst() {
        TotpSettings sixty = TotpSettings.of(Map.of("totp_period", "60"));

        TotpGenerator.Code last = totp.generate(RFC_SEED, sixty, sixty.stepAt(Instant.ofEpochSecond(119, 999_999_999)));
        TotpGenerator.Code next = totp.generate(RFC_SEED, sixty, sixty.stepAt(Instant.ofEpochSecond(120)));

        assertEquals(1, last.step());
        assertEquals(Instant.ofEpochSecond(60), last.validFrom());
        assertEquals(Instant.ofEpochSecond(120), last.validUntil());
        assertEquals(2, next.step());
        assertEquals(60, next.periodSeconds());
    }

    @ParameterizedTest
    @CsvSource({"totp_algorithm, MD5", "totp_digits, 7", "totp_digits, six", "totp_period, 5", "totp_period, 301"})
    void settingsOutsideWhatPortalsUseAreRefusedNamingTheKeyOnly(String key, String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TotpSettings.of(Map.of(key, value)));
        assertThat(e.getMessage()).startsWith("metadata." + key).doesNotContain(value);
    }

    @Test
    void codeIsValidUntilTheEndOfItsStep() {
        assertEquals(Instant.ofEpochSecond(60), totp.generate(RFC_SEED, Instant.ofEpochSecond(59)).validUntil());
        assertEquals(Instant.ofEpochSecond(90), totp.generate(RFC_SEED, Instant.ofEpochSecond(60)).validUntil());
    }

    @Test
    void seedsAreReadCaseInsensitivelyWithSpacesAndPadding() {
        Instant at = Instant.ofEpochSecond(59);
        assertEquals(totp.generate(RFC_SEED, at), totp.generate("gezd gnbv gy3t qojq gezd gnbv gy3t qojq====", at));
    }

    @Test
    void nonBase32SeedIsRefusedWithoutEchoingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> totp.generate("s3cret!", Instant.EPOCH));
        assertEquals("TOTP seed is not base32", e.getMessage());
    }

    @Test
    void codeIsRedactedInToString() {
        assertEquals("Code[***, step=1, validUntil=1970-01-01T00:01:00Z]",
                totp.generate(RFC_SEED, Instant.ofEpochSecond(59)).toString());
    }

    private static String base32(String ascii) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        StringBuilder out = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : ascii.getBytes(StandardCharsets.US_ASCII)) {
            buffer = (buffer << 8) | (b & 0xFF);
            bits += 8;
            while (bits >= 5) {
                out.append(alphabet.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(alphabet.charAt((buffer << (5 - bits)) & 31));
        }
        return out.toString();
    }
}
