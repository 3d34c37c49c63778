package org.rcm.credentials.local.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DeleteSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueResponse;

class SecretsManagerWireTest extends LocalAwsTestBase {

    private static final String NAME = "rcm/portal-a/login";
    private static final String TOKEN_1 = "00000000-0000-0000-0000-000000000001";
    private static final String TOKEN_2 = "00000000-0000-0000-0000-000000000002";
    private static final String TOKEN_3 = "00000000-0000-0000-0000-000000000003";
    private static final String CURRENT = "AWSCURRENT";
    private static final String PREVIOUS = "AWSPREVIOUS";

    @Test
    void createThenGetReturnsTheCurrentVersion() {
        CreateSecretResponse created = create(NAME, TOKEN_1, "one");

        GetSecretValueResponse value = secrets.getSecretValue(g -> g.secretId(NAME)).join();

        assertEquals(TOKEN_1, created.versionId());
        assertEquals(NAME, created.name());
        assertTrue(created.arn().matches("arn:aws:secretsmanager:us-east-1:000000000000:secret:" + NAME
                + "-[A-Za-z0-9]{6}"), created.arn());
        assertEquals("one", value.secretString());
        assertEquals(TOKEN_1, value.versionId());
        assertEquals(List.of(CURRENT), value.versionStages());
        assertEquals(created.arn(), value.arn());
        assertNotNull(value.createdDate());
    }

    @Test
    void secretIsFoundByNameFullArnAndArnWithoutSuffix() {
        String arn = create(NAME, TOKEN_1, "one").arn();
        String partialArn = arn.substring(0, arn.length() - 7);

        for (String secretId : List.of(NAME, arn, partialArn)) {
            assertEquals("one", secrets.getSecretValue(g -> g.secretId(secretId)).join().secretString(), secretId);
        }
        assertEquals("ResourceNotFoundException",
                errorCode(secrets.getSecretValue(g -> g.secretId(partialArn + "-XXXXXX"))));
    }

    @Test
    void putSecretValueMovesCurrentAndLeavesPreviousBehind() {
        create(NAME, TOKEN_1, "one");
        PutSecretValueResponse second = put(TOKEN_2, "two");
        put(TOKEN_3, "three");

        assertEquals(List.of(CURRENT), second.versionStages());
        assertEquals("three", secretString(CURRENT));
        assertEquals("two", secretString(PREVIOUS));
        GetSecretValueResponse first = secrets.getSecretValue(g -> g.secretId(NAME).versionId(TOKEN_1)).join();
        assertEquals("one", first.secretString());
        assertEquals(List.of(), first.versionStages());
        assertEquals(Map.of(TOKEN_2, List.of(PREVIOUS), TOKEN_3, List.of(CURRENT)), describe().versionIdsToStages());
    }

    @Test
    void putWithCustomStageLeavesCurrentInPlace() {
        create(NAME, TOKEN_1, "one");

        PutSecretValueResponse pending = secrets.putSecretValue(p -> p.secretId(NAME).clientRequestToken(TOKEN_2)
                .secretString("two").versionStages("AWSPENDING")).join();

        assertEquals(List.of("AWSPENDING"), pending.versionStages());
        assertEquals("one", secretString(CURRENT));
        assertEquals("two", secretString("AWSPENDING"));
        AwsServiceException missing = failure(secrets.getSecretValue(g -> g.secretId(NAME).versionStage(PREVIOUS)));
        assertEquals("ResourceNotFoundException", missing.awsErrorDetails().errorCode());
        assertEquals("Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS",
                missing.awsErrorDetails().errorMessage());
    }

    @Test
    void updateSecretVersionStageRequiresNamingTheVersionThatHoldsTheStage() {
        create(NAME, TOKEN_1, "one");
        secrets.putSecretValue(p -> p.secretId(NAME).clientRequestToken(TOKEN_2).secretString("two")
                .versionStages("AWSPENDING")).join();

        assertEquals("InvalidParameterException", errorCode(secrets.updateSecretVersionStage(u -> u.secretId(NAME)
                .versionStage(CURRENT).moveToVersionId(TOKEN_2))));
        assertEquals("ResourceNotFoundException", errorCode(secrets.updateSecretVersionStage(u -> u.secretId(NAME)
                .versionStage(CURRENT).moveToVersionId(TOKEN_3).removeFromVersionId(TOKEN_1))));

        secrets.updateSecretVersionStage(u -> u.secretId(NAME).versionStage(CURRENT)
                .moveToVersionId(TOKEN_2).removeFromVersionId(TOKEN_1)).join();
        secrets.updateSecretVersionStage(u -> u.secretId(NAME).versionStage("AWSPENDING")
                .removeFromVersionId(TOKEN_2)).join();

        assertEquals(Map.of(TOKEN_1, List.of(PREVIOUS), TOKEN_2, List.of(CURRENT)), describe().versionIdsToStages());
    }

    @Test
    void repeatingAClientRequestTokenIsIdempotentOnlyForTheSameValue() {
        CreateSecretResponse first = create(NAME, TOKEN_1, "one");
        CreateSecretResponse again = create(NAME, TOKEN_1, "one");
        assertEquals(first.versionId(), again.versionId());
        assertEquals(first.arn(), again.arn());
        assertEquals("ResourceExistsException", errorCode(secrets.createSecret(c -> c.name(NAME)
                .clientRequestToken(TOKEN_1).secretString("other"))));
        assertEquals("ResourceExistsException", errorCode(secrets.createSecret(c -> c.name(NAME)
                .clientRequestToken(TOKEN_2).secretString("one"))));

        PutSecretValueResponse put = put(TOKEN_2, "two");
        PutSecretValueResponse repeated = put(TOKEN_2, "two");

        assertEquals(put.versionId(), repeated.versionId());
        assertEquals(List.of(CURRENT), repeated.versionStages());
        assertEquals("ResourceExistsException", errorCode(secrets.putSecretValue(p -> p.secretId(NAME)
                .clientRequestToken(TOKEN_2).secretString("changed"))));
        assertEquals(Map.of(TOKEN_1, List.of(PREVIOUS), TOKEN_2, List.of(CURRENT)), describe().versionIdsToStages());
    }

    @Test
    void secretStringsAboveSixtyFourKibibytesFailWithValidationException() {
        create(NAME, TOKEN_1, "x".repeat(65536));

        AwsServiceException tooLarge = failure(secrets.putSecretValue(p -> p.secretId(NAME)
                .clientRequestToken(TOKEN_2).secretString("x".repeat(65537))));

        assertEquals("ValidationException", tooLarge.awsErrorDetails().errorCode());
        assertEquals(400, tooLarge.statusCode());
        assertEquals("ValidationException", errorCode(secrets.createSecret(c -> c.name("other")
                .secretString("é".repeat(32769)))));
    }

    @Test
    void deleteWithRecoveryWindowBlocksUseUntilRestored() {
        create(NAME, TOKEN_1, "one");

        DeleteSecretResponse deleted = secrets.deleteSecret(d -> d.secretId(NAME).recoveryWindowInDays(7L)).join();

        Instant expected = Instant.now().plus(Duration.ofDays(7));
        assertTrue(Duration.between(deleted.deletionDate(), expected).abs().compareTo(Duration.ofMinutes(1)) < 0);
        AwsServiceException get = failure(secrets.getSecretValue(g -> g.secretId(NAME)));
        assertEquals("InvalidRequestException", get.awsErrorDetails().errorCode());
        assertEquals("You can't perform this operation on the secret because it was marked for deletion.",
                get.awsErrorDetails().errorMessage());
        assertEquals("InvalidRequestException", errorCode(secrets.putSecretValue(p -> p.secretId(NAME)
                .clientRequestToken(TOKEN_2).secretString("two"))));
        assertEquals("InvalidRequestException", errorCode(secrets.deleteSecret(d -> d.secretId(NAME))));
        assertEquals("InvalidRequestException", errorCode(secrets.createSecret(c -> c.name(NAME)
                .clientRequestToken(TOKEN_2).secretString("two"))));
        assertNotNull(describe().deletedDate());

        secrets.restoreSecret(r -> r.secretId(NAME)).join();

        assertEquals("one", secretString(CURRENT));
        assertNull(describe().deletedDate());
    }

    @Test
    void deleteRejectsAnInvalidWindowAndWindowWithForce() {
        create(NAME, TOKEN_1, "one");

        assertEquals("InvalidParameterException",
                errorCode(secrets.deleteSecret(d -> d.secretId(NAME).recoveryWindowInDays(6L))));
        assertEquals("InvalidParameterException", errorCode(secrets.deleteSecret(d -> d.secretId(NAME)
                .recoveryWindowInDays(7L).forceDeleteWithoutRecovery(true))));
        assertEquals("one", secretString(CURRENT));
    }

    @Test
    void forceDeleteRemovesTheSecretAtOnce() {
        create(NAME, TOKEN_1, "one");

        secrets.deleteSecret(d -> d.secretId(NAME).forceDeleteWithoutRecovery(true)).join();

        AwsServiceException missing = failure(secrets.getSecretValue(g -> g.secretId(NAME)));
        assertEquals("ResourceNotFoundException", missing.awsErrorDetails().errorCode());
        assertEquals("Secrets Manager can't find the specified secret.", missing.awsErrorDetails().errorMessage());
        assertEquals(NAME, secrets.deleteSecret(d -> d.secretId(NAME).forceDeleteWithoutRecovery(true)).join().name());
        assertEquals(TOKEN_2, create(NAME, TOKEN_2, "new").versionId());
    }

    @Test
    void describeReportsMetadataWithoutValues() {
        secrets.createSecret(c -> c.name(NAME).clientRequestToken(TOKEN_1).secretString("one")
                .description("portal login").kmsKeyId("alias/rcm-local")).join();

        DescribeSecretResponse description = describe();

        assertEquals(NAME, description.name());
        assertEquals("portal login", description.description());
        assertEquals("alias/rcm-local", description.kmsKeyId());
        assertNotNull(description.createdDate());
        assertNotNull(description.lastChangedDate());
        assertNull(description.deletedDate());
        assertEquals("ResourceNotFoundException", errorCode(secrets.describeSecret(d -> d.secretId("missing"))));
    }

    private CreateSecretResponse create(String name, String token, String value) {
        return secrets.createSecret(c -> c.name(name).clientRequestToken(token).secretString(value)).join();
    }

    private PutSecretValueResponse put(String token, String value) {
        return secrets.putSecretValue(p -> p.secretId(NAME).clientRequestToken(token).secretString(value)).join();
    }

    private String secretString(String stage) {
        return secrets.getSecretValue(g -> g.secretId(NAME).versionStage(stage)).join().secretString();
    }

    private DescribeSecretResponse describe() {
        return secrets.describeSecret(d -> d.secretId(NAME)).join();
    }
}
