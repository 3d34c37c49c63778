package org.rcm.credentials.totp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 6238's SHA-1 test vectors (seed "12345678901234567890"), cut to six digits. */
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
        assertEquals("Code[***, validUntil=1970-01-01T00:01:00Z]", totp.generate(RFC_SEED, Instant.ofEpochSecond(59)).toString());
    }
}
