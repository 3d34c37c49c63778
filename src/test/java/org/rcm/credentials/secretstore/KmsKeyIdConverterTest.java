package org.rcm.credentials.secretstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A KMS key setting in a form AWS resolves starts the service; any other stops it. */
class KmsKeyIdConverterTest {

    private final KmsKeyIdConverter converter = new KmsKeyIdConverter();

    @ParameterizedTest
    @ValueSource(strings = {"alias/aws/ssm", "alias/rcm-prod", "1234abcd-12ab-34cd-56ef-1234567890ab",
        "mrk-1234abcd12ab34cd56ef1234567890ab", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/rcm-prod"})
    void acceptsTheFormsAwsResolves(String keyId) {
        assertEquals(keyId, converter.convert(" " + keyId + " ").trim());
    }

    @ParameterizedTest
    @ValueSource(strings = {"rcm-prod", "aws/ssm", "alias/", "1234abcd", "arn:aws:kms:us-east-1:111122223333:key/rcm-prod",
        "arn:aws:ssm:us-east-1:111122223333:alias/rcm-prod", "alias/with space"})
    void refusesAnythingElseWithAMessageThatNamesTheSetting(String keyId) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> converter.convert(keyId));

        assertThat(e.getMessage()).contains("rcm.secret-store.ssm-kms-key-id");
    }
}
