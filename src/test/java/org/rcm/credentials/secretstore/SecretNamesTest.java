package org.rcm.credentials.secretstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.rcm.credentials.error.BrokerException;

/** The one resolver: what it builds, and its accept/refuse table for ARNs and ids. */
class SecretNamesTest {

    private static final String ACCOUNT = "123456789012";
    private final SecretNames names = new SecretNames("aws", "us-east-1", ACCOUNT, "prod");

    @Test
    void buildsTheSsmArnFromTenantAndPortal() {
        SecretArn arn = names.arnFor("org-123", "portal-456", SecretBackend.SSM_PARAMETER_STORE);

        assertEquals("arn:aws:ssm:us-east-1:123456789012:parameter/rcm/prod/org-123/portal-456", arn.value());
        assertEquals("/rcm/prod/org-123/portal-456", arn.parameterName());
    }

    @Test
    void buildsTheSecretsManagerNameWithoutASuffixUntilTheSecretExists() {
        SecretArn arn = names.arnFor("org-123", "portal-456", SecretBackend.SECRETS_MANAGER);

        assertEquals("arn:aws:secretsmanager:us-east-1:123456789012:secret:rcm/prod/org-123/portal-456", arn.value());
        assertEquals("rcm/prod/org-123/portal-456", arn.secretId());
    }

    @Test
    void parsesASecretsManagerArnWithItsSuffix() {
        SecretArn arn = names.parse(
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:rcm/prod/org-123/portal-456-AbC123", "org-123");

        assertEquals("portal-456", arn.portal());
        assertEquals("AbC123", arn.suffix());
        assertEquals(arn.value(), arn.secretId());
    }

    @ParameterizedTest(name = "accepts {0}")
    @ValueSource(strings = {
        "arn:aws:ssm:us-east-1:123456789012:parameter/rcm/prod/org-123/portal-456",
        "arn:aws:ssm:us-east-1:123456789012:parameter/rcm/prod/org-123/p",
        "arn:aws:ssm:us-east-1:123456789012:parameter/rcm/prod/org-123/portal_1.v2-x",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:rcm/prod/org-123/portal-456-a1B2c3",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:rcm/prod/org-123/portal-abcdef-XyZ987",
    })
    void accepts(String arn) {
        assertEquals("org-123", names.parse(arn, "org-123").tenant());
    }

    @ParameterizedTest(name = "refuses {0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "arn:aws:ssm:us-east-1:123456789012:parameter/rcm/prod/org-999/portal-456 | is outside the tenant's prefix",
        "arn:aws:ssm:us-east-1:123456789012:parameter/rcm/prod/org-1234/portal-456 | is outside the tenant's prefix",
        "arn:aws:ssm:us-east-1:123456789012:parameter/rcm/prod/org-12/portal-456 | is outside the tenant's prefix",
        "arn:aws:ssm:us-east-1:123456789012:parameter/rcm/dev/org-123/portal-456 | is in another environment",
        "arn:aws-cn:ssm:us-east-1:123456789012:parameter/rcm/prod/org-123/portal-456 | is in another partition",
        "arn:aws-us-gov:ssm:us-east-1:123456789012:parameter/rcm/prod/org-123/portal-456 | is in another partition",
        "arn:aws:ssm:eu-west-1:123456789012:parameter/rcm/prod/org-123/portal-456 | is in another region",
        "arn:aws:ssm:us-east-1:210987654321:parameter/rcm/prod/org-123/portal-456 | is in another account",
        "arn:aws:ssm:us-east-1::parameter/rcm/prod/org-123/portal-456 | is in another account",
        "arn:aws:s3:us-east-1:123456789012:parameter/rcm/prod/org-123/portal-456 | is not an SSM parameter or Secrets Manager secret ARN",
        "arn:aws:ssm:us-east-1:123456789012:secret:rcm/prod/org-123/portal-456-a1B2c3 | is not an SSM parameter or Secrets Manager secret ARN",
        "arn:aws:secretsmanager:us-east-1:123456789012:parameter/rcm/prod/org-123/portal-456 | is not an SSM parameter or Secrets Manager secret ARN",
        "arn:aws:ssm:us-east-1:123456789012:document/rcm/prod/org-123/portal-456 | is not an SSM parameter or Secrets Manager secret ARN",
        "arn:aws:ssm:us-east-1:123456789012:parameter/rcm/prod/org-123/../org-999/p | is not of the form rcm/{environment}/{tenant}/{portal}",
        "arn:aws:ssm:us-east-1:123456789012:parameter/rcm/prod/org-123/.. | has an invalid portal segment",
        "arn:aws:ssm:us-east-1:123456789012:parameter/rcm/prod/org-123/a..b | has an invalid portal segment",
        "arn:aws:ssm:us-east-1:123456789012:parameter/rcm/prod/org-123/ | has an invalid portal segment",
        "arn:aws:ssm:us-east-1:123456789012:parameter/rcm/prod/org-123/portal%2F456 | has an invalid portal segment",
        "arn:aws:ssm:us-east-1:123456789012:parameter/rcm/prod/org-123/portal-456/extra | is not of the form rcm/{environment}/{tenant}/{portal}",
        "arn:aws:ssm:us-east-1:123456789012:parameter/rcm/prod/org-123 | is not of the form rcm/{environment}/{tenant}/{portal}",
        "arn:aws:ssm:us-east-1:123456789012:parameter//rcm/prod/org-123/portal-456 | is not of the form rcm/{environment}/{tenant}/{portal}",
        "arn:aws:ssm:us-east-1:123456789012:parameter/other/prod/org-123/portal-456 | is not of the form rcm/{environment}/{tenant}/{portal}",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:rcm/prod/org-123/portal-456 | lacks the Secrets Manager suffix",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:rcm/prod/org-123/portal-456-abc | lacks the Secrets Manager suffix",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:rcm/prod/org-999/portal-456-a1B2c3 | is outside the tenant's prefix",
        "arn:aws:ssm:us-east-1:123456789012:parameter/rcm/prod/org-123/portal 456 | has an invalid portal segment",
        "rcm/prod/org-123/portal-456 | is not an SSM parameter or Secrets Manager secret ARN",
        "'' | is not an SSM parameter or Secrets Manager secret ARN",
    })
    void refuses(String arn, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> names.parse(arn, "org-123"));

        assertEquals("secret ARN " + why, e.getMessage());
        assertThat(e.getMessage()).doesNotContain(ACCOUNT).doesNotContain("org-");
    }

    @Test
    void refusesAnArnOfAnotherPortalOfTheSameTenant() {
        assertThrows(IllegalArgumentException.class, () -> names.parse(
                "arn:aws:ssm:us-east-1:123456789012:parameter/rcm/prod/org-123/portal-456", "org-123", "portal-789"));
    }

    @ParameterizedTest(name = "id {0} is refused")
    @ValueSource(strings = {"", ".", "..", "a..b", "a/b", "a b", "ä", "a\u0000b", "a:b", "a%2Fb"})
    void refusesBadIds(String id) {
        BrokerException e = assertThrows(BrokerException.class, () -> names.arnFor("org-123", id, SecretBackend.SSM_PARAMETER_STORE));

        assertEquals(BrokerException.Kind.INVALID_INPUT, e.kind());
        assertEquals("INVALID_PORTAL_ID", e.reason());
    }

    @Test
    void refusesIdsLongerThan128Characters() {
        assertEquals("x".repeat(128), SecretNames.requireId("portal_id", "x".repeat(128)));
        BrokerException e = assertThrows(BrokerException.class, () -> SecretNames.requireId("portal_id", "x".repeat(129)));
        assertEquals("portal_id is longer than 128 characters", e.getMessage());
    }

    @Test
    void refusesNullIds() {
        assertThrows(BrokerException.class, () -> SecretNames.requireId("portal_id", null));
    }

    @ParameterizedTest(name = "sanitises {0}")
    @CsvSource(delimiter = '|', value = {
        "arn:aws:ssm:us-east-1:123456789012:parameter/rcm/prod/org-123/portal-456 | arn:aws:ssm:us-east-1:****:parameter/rcm/****",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:rcm/prod/org-123/portal-456-a1B2c3 | arn:aws:secretsmanager:us-east-1:****:secret:rcm/****",
        "arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter/x/y | arn:aws-us-gov:ssm:us-gov-west-1:****:parameter/rcm/****",
        "not an arn | ****",
    })
    void sanitisesKeepingServiceAndRegionOnly(String arn, String expected) {
        assertEquals(expected, SecretNames.sanitize(arn));
    }

    @Test
    void secretArnToStringIsSanitised() {
        SecretArn arn = names.arnFor("org-123", "portal-456", SecretBackend.SSM_PARAMETER_STORE);
        assertEquals("arn:aws:ssm:us-east-1:****:parameter/rcm/****", arn.toString());
    }

    @Test
    void masksArnsPathsAndAccountIdsInFreeText() {
        String text = "failed for arn:aws:secretsmanager:us-east-1:123456789012:secret:rcm/prod/org-123/p-a1B2c3,"
                + " parameter /rcm/prod/org-123/p (account 123456789012) in org/rcm/credentials";

        assertEquals("failed for arn:aws:secretsmanager:us-east-1:****:secret:rcm/****,"
                + " parameter /rcm/**** (account ************) in org/rcm/credentials", SecretNames.maskAll(text));
    }

    @Test
    void masksCredentialsInUrls() {
        String text = "Unable to parse URL jdbc:postgresql://rcm:hunter2@db.internal:notaport/rcm;"
                + " also postgresql://db.internal/rcm?user=rcm&password=hunter2&sslmode=verify-full";

        assertEquals("Unable to parse URL jdbc:postgresql://****@db.internal:notaport/rcm;"
                + " also postgresql://db.internal/rcm?user=rcm&password=****&sslmode=verify-full", SecretNames.maskAll(text));
    }
}
