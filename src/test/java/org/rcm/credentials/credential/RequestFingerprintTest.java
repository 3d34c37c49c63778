package org.rcm.credentials.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The request fingerprint kept with idempotency records: an HMAC under a key that is not in the database. */
class RequestFingerprintTest {

    private static final String KEY = base64(32, (byte) 0x11);
    private static final String OTHER_KEY = base64(32, (byte) 0x22);
    private static final byte[] REQUEST = "store\0portal-1\0SSM_PARAMETER_STORE\0{\"password\":\"hunter2\"}"
            .getBytes(StandardCharsets.UTF_8);

    @Test
    void fingerprintIsHmacSha256OfTheRequest() {
        // RFC 4231, test case 6: a 131-byte key of 0xaa
        RequestFingerprint fingerprints = RequestFingerprint.fromBase64(Optional.of(base64(131, (byte) 0xaa)));

        assertThat(fingerprints.of("Test Using Larger Than Block-Size Key - Hash Key First".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }

    @Test
    void fingerprintIsNotAPlainSha256OfTheRequest() {
        String fingerprint = RequestFingerprint.fromBase64(Optional.of(KEY)).of(REQUEST);

        assertThat(fingerprint).matches("[0-9a-f]{64}").isNotEqualTo(sha256(REQUEST));
    }

    @Test
    void anotherReplicaWithTheSameKeyRecognisesTheRequest() {
        String stored = RequestFingerprint.fromBase64(Optional.of(KEY)).of(REQUEST);

        assertThat(RequestFingerprint.fromBase64(Optional.of(KEY)).matches(stored, REQUEST)).isTrue();
    }

    @Test
    void anotherRequestDoesNotMatch() {
        RequestFingerprint fingerprints = RequestFingerprint.fromBase64(Optional.of(KEY));
        String stored = fingerprints.of(REQUEST);

        assertThat(fingerprints.matches(stored, "store\0portal-1\0SSM_PARAMETER_STORE\0{\"password\":\"hunter3\"}"
                .getBytes(StandardCharsets.UTF_8))).isFalse();
    }

    @Test
    void aRecordWrittenUnderAnotherKeyDoesNotMatch() {
        String stored = RequestFingerprint.fromBase64(Optional.of(OTHER_KEY)).of(REQUEST);

        assertThat(RequestFingerprint.fromBase64(Optional.of(KEY)).matches(stored, REQUEST)).isFalse();
    }

    @Test
    void aRecordOfTheFormerSaltedFormatDoesNotMatch() {
        String salt = "00112233445566778899aabbccddeeff";
        byte[] salted = new byte[16 + REQUEST.length];
        System.arraycopy(HexFormat.of().parseHex(salt), 0, salted, 0, 16);
        System.arraycopy(REQUEST, 0, salted, 16, REQUEST.length);

        assertThat(RequestFingerprint.fromBase64(Optional.of(KEY)).matches(salt + ":" + sha256(salted), REQUEST))
                .isFalse();
    }

    @Test
    void aKeyReadFromAFileWithItsNewlineIsAccepted() {
        String stored = RequestFingerprint.fromBase64(Optional.of(KEY)).of(REQUEST);

        assertThat(RequestFingerprint.fromBase64(Optional.of(KEY + "\n")).matches(stored, REQUEST)).isTrue();
    }

    @Test
    void aMissingKeyIsRefusedNamingTheVariable() {
        assertThatThrownBy(() -> RequestFingerprint.fromBase64(Optional.empty()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("RCM_IDEMPOTENCY_KEY (rcm.idempotency.key) is not set")
                .hasMessageContaining("openssl rand -base64 32");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  \n"})
    void aBlankKeyIsRefusedAsMissing(String blank) {
        assertThatThrownBy(() -> RequestFingerprint.fromBase64(Optional.of(blank)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("RCM_IDEMPOTENCY_KEY (rcm.idempotency.key) is not set");
    }

    @Test
    void aShortKeyIsRefusedWithoutQuotingIt() {
        String shortKey = base64(31, (byte) 0x33);

        assertThatThrownBy(() -> RequestFingerprint.fromBase64(Optional.of(shortKey)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("RCM_IDEMPOTENCY_KEY (rcm.idempotency.key) is too short (31 bytes)")
                .hasMessageNotContaining(shortKey);
    }

    @Test
    void aKeyThatIsNotBase64IsRefusedWithoutQuotingIt() {
        String notBase64 = "not base64 at all, but long enough to be a key!!";

        assertThatThrownBy(() -> RequestFingerprint.fromBase64(Optional.of(notBase64)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("RCM_IDEMPOTENCY_KEY (rcm.idempotency.key) is not valid base64")
                .hasMessageNotContaining("not base64 at all")
                .hasNoCause();
    }

    @Test
    void toStringHidesTheKey() {
        assertThat(RequestFingerprint.fromBase64(Optional.of(KEY))).hasToString("RequestFingerprint[key=***]");
    }

    private static String base64(int length, byte fill) {
        byte[] key = new byte[length];
        Arrays.fill(key, fill);
        return Base64.getEncoder().encodeToString(key);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
