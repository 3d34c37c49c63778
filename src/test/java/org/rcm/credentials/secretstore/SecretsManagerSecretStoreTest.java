package org.rcm.credentials.secretstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.secretstore.SecretStoreException.Reason;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerAsyncClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerAsyncClientBuilder;

/** Secrets Manager: version stages, idempotent ClientRequestTokens, recovery window. */
@QuarkusTest
class SecretsManagerSecretStoreTest extends SecretStoreTestBase {

    @Inject
    SecretsManagerAsyncClient client;

    @Inject
    SecretsManagerAsyncClientBuilder builder;

    @Inject
    SecretStoreConfig storeConfig;

    @Override
    SecretStore storeWithOwnRetryBudget() {
        SecretsManagerAsyncClient own = builder.overrideConfiguration(
                AwsClientProducer.tuned(builder.overrideConfiguration(), config.aws())).build();
        return new SecretsManagerSecretStore(own, sessions, names, storeConfig);
    }

    @Override
    SecretBackend backend() {
        return SecretBackend.SECRETS_MANAGER;
    }

    @Override
    String target(String operation) {
        return "secretsmanager." + operation;
    }

    @Override
    String getOperation() {
        return "GetSecretValue";
    }

    @Override
    String deleteOperation() {
        return "DeleteSecret";
    }

    @Test
    void createdSecretHasTheSuffixedArnWithinTheTenantPrefix() {
        SecretArn requested = newArn();

        SecretVersion written = await(store().put(requested, value("pw"), null));

        assertNotNull(written.arn().suffix());
        assertThat(written.arn().value()).startsWith(requested.value() + "-");
        assertEquals(written.arn(), names.parse(written.arn().value(), TENANT, requested.portal()));
    }

    @Test
    void rotationMovesTheStandardStages() {
        SecretVersion first = await(store().put(newArn(), value("old"), null));
        SecretVersion pending = await(store().writePending(first.arn(), value("new"), null));

        assertThat(stages(first.arn()).get(pending.versionId())).containsExactly("AWSPENDING");

        await(store().promote(first.arn(), pending.versionId()));

        var stages = stages(first.arn());
        assertThat(stages.get(pending.versionId())).contains("AWSCURRENT");
        assertThat(stages.get(first.versionId())).containsExactly("AWSPREVIOUS");
    }

    @Test
    void previousStageReadsTheVersionThatWasCurrentBefore() {
        SecretVersion first = await(store().put(newArn(), value("first"), null));
        SecretVersion pending = await(store().writePending(first.arn(), value("second"), null));
        await(store().promote(first.arn(), pending.versionId()));

        assertEquals(value("first"), await(store().get(first.arn(), SecretStage.PREVIOUS)));

        await(store().put(first.arn(), value("third"), null));

        assertEquals(value("second"), await(store().get(first.arn(), SecretStage.PREVIOUS)));
        assertEquals(value("third"), await(store().getCurrent(first.arn())));
    }

    @Test
    void retryWithTheSameRequestTokenIsIdempotent() {
        SecretVersion first = await(store().put(newArn(), value("pw-1"), null));
        String token = UUID.randomUUID().toString();

        SecretVersion written = await(store().put(first.arn(), value("pw-2"), token));
        SecretVersion retried = await(store().put(first.arn(), value("pw-2"), token));

        assertEquals(token, written.versionId());
        assertEquals(written.versionId(), retried.versionId());
        assertEquals(written.versionId(), await(store().currentVersionId(first.arn())));
    }

    @Test
    void sameRequestTokenWithOtherDataIsRefused() {
        SecretVersion first = await(store().put(newArn(), value("pw-1"), null));
        String token = UUID.randomUUID().toString();
        await(store().put(first.arn(), value("pw-2"), token));

        assertEquals(Reason.ALREADY_EXISTS, failureOf(store().put(first.arn(), value("pw-3"), token)));
    }

    @Test
    void deletedSecretIsRestoredWhenStoredAgainWithinItsRecoveryWindow() {
        SecretArn requested = newArn();
        SecretVersion first = await(store().put(requested, value("pw-1"), null));
        await(store().delete(first.arn()));

        SecretVersion again = await(store().put(requested, value("pw-2"), null));

        assertEquals(first.arn(), again.arn());
        assertEquals(value("pw-2"), await(store().get(again.arn(), again.versionId())));
    }

    @Test
    void deleteOfASecretWhoseDeletionIsScheduledIsFalse() {
        SecretVersion written = await(store().put(newArn(), value("pw"), null));
        assertTrue(await(store().delete(written.arn())));
        aws.resetCalls();

        assertFalse(await(store().delete(written.arn())));
        assertEquals(1, aws.calls(target("DescribeSecret")));
    }

    @Test
    void deleteRefusedWithInvalidRequestFailsWhileTheSecretIsNotBeingDeleted() {
        SecretVersion written = await(store().put(newArn(), value("pw"), null));
        aws.errorNext(target("DeleteSecret"), 1, "InvalidRequestException");

        assertEquals(Reason.INVALID_REQUEST, failureOf(store().delete(written.arn())));
        assertEquals(value("pw"), await(store().getCurrent(written.arn())));
        assertTrue(await(store().delete(written.arn())));
    }

    @Test
    void deleteRefusedWithInvalidParameterFails() {
        SecretVersion written = await(store().put(newArn(), value("pw"), null));
        aws.errorNext(target("DeleteSecret"), 1, "InvalidParameterException");

        assertEquals(Reason.INVALID_REQUEST, failureOf(store().delete(written.arn())));
        assertEquals(value("pw"), await(store().getCurrent(written.arn())));
    }

    @Test
    void invalidRequestOnPromotionIsInvalidRequestAndNotRetried() {
        SecretVersion current = await(store().put(newArn(), value("old"), null));
        SecretVersion pending = await(store().writePending(current.arn(), value("new"), null));
        aws.resetCalls();
        aws.errorNext(target("UpdateSecretVersionStage"), 1, "InvalidRequestException");

        assertEquals(Reason.INVALID_REQUEST, failureOf(store().promote(current.arn(), pending.versionId())));
        assertEquals(1, aws.calls(target("UpdateSecretVersionStage")));
        assertEquals(current.versionId(), await(store().currentVersionId(current.arn())));
    }

    @Test
    void invalidRequestOnReadIsASecretScheduledForDeletionAndNotFound() {
        SecretVersion written = await(store().put(newArn(), value("pw"), null));
        aws.errorNext(target("GetSecretValue"), 1, "InvalidRequestException");

        assertEquals(Reason.NOT_FOUND, failureOf(store().getCurrent(written.arn())));
    }

    private java.util.Map<String, java.util.List<String>> stages(SecretArn arn) {
        return await(Uni.createFrom().completionStage(client.describeSecret(r -> r.secretId(arn.value()))))
                .versionIdsToStages();
    }
}
