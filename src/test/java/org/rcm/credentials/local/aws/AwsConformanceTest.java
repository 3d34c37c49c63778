package org.rcm.credentials.local.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.PutParameterResponse;

/**
 * Where AWS's behaviour is easy to miss, the local endpoint does what AWS does, through the real
 * SDK. Each case names the behaviour it encodes and where AWS documents it; the service's
 * handling of each is tested in {@code secretstore/AwsFidelityHandlingTest}.
 */
class AwsConformanceTest extends LocalAwsTestBase {

    private static final String NAME = "/rcm/dev/tenant/portal";
    private static final String CUSTOMER_KEY_ARN = "arn:aws:kms:us-east-1:000000000000:key/" + LocalKms.CUSTOMER_KEY_ID;

    /**
     * An Advanced parameter cannot go back to Standard; Intelligent-Tiering keeps it Advanced and
     * makes a new small one Standard.
     * https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html
     */
    @Test
    void anAdvancedParameterIsNeverDowngradedAndIntelligentTieringChoosesForTheValue() {
        put(NAME, ParameterTier.ADVANCED);

        assertEquals("ValidationException", errorCode(putting(NAME, ParameterTier.STANDARD)));
        assertEquals(ParameterTier.ADVANCED, put(NAME, ParameterTier.INTELLIGENT_TIERING).tier());
        assertEquals(ParameterTier.STANDARD, put("/rcm/dev/tenant/new", ParameterTier.INTELLIGENT_TIERING).tier());
        assertEquals(ParameterTier.ADVANCED, ssm.putParameter(p -> p.name("/rcm/dev/tenant/big").value("x".repeat(5000))
                .type(ParameterType.SECURE_STRING).tier(ParameterTier.INTELLIGENT_TIERING)).join().tier());
    }

    /**
     * SecureString's KeyId must name a key that exists, by id, ARN, alias or alias ARN;
     * otherwise InvalidKeyId. https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html
     */
    @ParameterizedTest
    @ValueSource(strings = {"alias/aws/ssm", "alias/rcm-local", LocalKms.CUSTOMER_KEY_ID, CUSTOMER_KEY_ARN,
        "arn:aws:kms:us-east-1:000000000000:alias/rcm-local"})
    void aKnownKeyEncryptsAParameter(String keyId) {
        ssm.putParameter(p -> p.name(NAME).value("v").type(ParameterType.SECURE_STRING).keyId(keyId)).join();
    }

    @ParameterizedTest
    @ValueSource(strings = {"alias/nobody", "11111111-2222-3333-4444-555555555555",
        "arn:aws:kms:eu-west-1:000000000000:key/6f1c2a7e-0b4d-4e39-9a58-3c2f1d0e9b7a"})
    void anUnknownKeyIsInvalidKeyId(String keyId) {
        assertEquals("InvalidKeyId",
                errorCode(ssm.putParameter(p -> p.name(NAME).value("v").type(ParameterType.SECURE_STRING).keyId(keyId))));
    }

    /**
     * Secrets Manager refuses a KmsKeyId it cannot encrypt with (EncryptionFailure).
     * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html
     */
    @Test
    void aSecretWithAnUnknownKeyIsRefused() {
        assertEquals("EncryptionFailure", errorCode(secrets.createSecret(r -> r.name("rcm/dev/t/p").secretString("{}")
                .kmsKeyId("alias/nobody"))));
        secrets.createSecret(r -> r.name("rcm/dev/t/p").secretString("{}").kmsKeyId(CUSTOMER_KEY_ARN)).join();
    }

    /**
     * Secrets Manager removes versions beyond about 100 only when they are unlabelled and older
     * than 24 hours: a secret written 100 times in a day refuses the next version.
     * https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html
     */
    @Test
    void theHundredAndFirstVersionInADayIsLimitExceeded() {
        secrets.createSecret(r -> r.name("rcm/dev/t/p").secretString("v0")).join();
        for (int i = 1; i < 100; i++) {
            String value = "v" + i;
            secrets.putSecretValue(r -> r.secretId("rcm/dev/t/p").secretString(value)).join();
        }

        assertEquals("LimitExceededException",
                errorCode(secrets.putSecretValue(r -> r.secretId("rcm/dev/t/p").secretString("v100"))));
    }

    /**
     * SecretBinary is stored and read back like SecretString.
     * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutSecretValue.html
     */
    @Test
    void aBinarySecretIsKept() {
        byte[] bytes = UUID.randomUUID().toString().getBytes();
        secrets.createSecret(r -> r.name("rcm/dev/t/bin").secretBinary(SdkBytes.fromByteArray(bytes))).join();

        assertEquals(Base64.getEncoder().encodeToString(bytes), Base64.getEncoder().encodeToString(
                secrets.getSecretValue(r -> r.secretId("rcm/dev/t/bin")).join().secretBinary().asByteArray()));
    }

    /**
     * Names: at most 15 levels (HierarchyLevelLimitExceededException), no "aws" or "ssm" prefix in
     * any case, at most 1011 characters of the caller's own.
     * https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html
     */
    @Test
    void namesAreRefusedAsAwsRefusesThem() {
        assertEquals("HierarchyLevelLimitExceededException", errorCode(ssm.putParameter(p -> p.name("/a".repeat(16))
                .value("v").type(ParameterType.STRING))));
        for (String reserved : new String[] {"/aws/x", "/SSM/x", "awsx", "/Aws-param"}) {
            assertEquals("ValidationException", errorCode(ssm.putParameter(p -> p.name(reserved).value("v")
                    .type(ParameterType.STRING))), reserved);
        }
        assertEquals("ValidationException", errorCode(ssm.putParameter(p -> p.name("/" + "n".repeat(1011))
                .value("v").type(ParameterType.STRING))));
    }

    /**
     * GetParameter takes a parameter's ARN as its name.
     * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html
     */
    @Test
    void aParameterIsReadByItsArn() {
        put(NAME, ParameterTier.STANDARD);

        assertEquals(NAME, ssm.getParameter(p -> p.name("arn:aws:ssm:us-east-1:000000000000:parameter" + NAME + ":1"))
                .join().parameter().name());
    }

    /**
     * Concurrent updates of one parameter answer TooManyUpdates (not a throttling error to the
     * SDK); the endpoint's fault injection produces it, and LimitExceededException, on demand.
     * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html#API_PutParameter_Errors
     */
    @Test
    void faultInjectionAnswersTooManyUpdatesAndLimitExceeded() {
        endpoint.faults().errorNext("AmazonSSM.PutParameter", 1, "TooManyUpdates");
        endpoint.faults().errorNext("secretsmanager.PutSecretValue", 1, "LimitExceededException");
        secrets.createSecret(r -> r.name("rcm/dev/t/p").secretString("v0")).join();

        assertEquals("TooManyUpdates", errorCode(putting(NAME, ParameterTier.STANDARD)));
        assertEquals("LimitExceededException",
                errorCode(secrets.putSecretValue(r -> r.secretId("rcm/dev/t/p").secretString("v1"))));
    }

    private PutParameterResponse put(String name, ParameterTier tier) {
        return putting(name, tier).join();
    }

    private CompletableFuture<PutParameterResponse> putting(String name, ParameterTier tier) {
        return ssm.putParameter(p -> p.name(name).value("v").type(ParameterType.SECURE_STRING).tier(tier).overwrite(true));
    }
}
