package org.rcm.credentials.secretstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.secretstore.SecretStoreException.Reason;
import software.amazon.awssdk.services.ssm.SsmAsyncClient;
import software.amazon.awssdk.services.ssm.SsmAsyncClientBuilder;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** SSM Parameter Store: SecureString parameters, version numbers, {@code current}/{@code pending} labels. */
@QuarkusTest
class SsmSecretStoreTest extends SecretStoreTestBase {

    @Inject
    SsmAsyncClient ssm;

    @Inject
    SsmAsyncClientBuilder builder;

    @Inject
    SecretStoreConfig storeConfig;

    @Override
    SecretStore storeWithOwnRetryBudget() {
        SsmAsyncClient own = builder.overrideConfiguration(
                AwsClientProducer.tuned(builder.overrideConfiguration(), config.aws())).build();
        return new SsmSecretStore(own, sessions, storeConfig);
    }

    @Override
    SecretBackend backend() {
        return SecretBackend.SSM_PARAMETER_STORE;
    }

    @Override
    String target(String operation) {
        return "AmazonSSM." + operation;
    }

    @Override
    String getOperation() {
        return "GetParameter";
    }

    @Override
    String deleteOperation() {
        return "DeleteParameter";
    }

    @Test
    void parametersAreSecureStringsWithVersionNumbersAndLabels() {
        SecretArn arn = newArn();
        SecretVersion first = await(store().put(arn, value("pw-1"), null));
        SecretVersion pending = await(store().writePending(arn, value("pw-2"), null));

        var parameter = await(Uni.createFrom().completionStage(ssm.getParameter(r -> r
                .name(arn.parameterName() + ":pending").withDecryption(true)))).parameter();

        assertEquals("1", first.versionId());
        assertEquals("2", pending.versionId());
        assertEquals(ParameterType.SECURE_STRING, parameter.type());
        assertEquals(2L, parameter.version());
        assertEquals(arn.value(), parameter.arn());
    }

    @Test
    void unknownVersionIsNotFound() {
        SecretVersion written = await(store().put(newArn(), value("pw"), null));
        assertEquals(Reason.NOT_FOUND, failureOf(store().get(written.arn(), "99")));
    }

    @Test
    void previousStageIsRefusedBeforeAnyCall() {
        SecretVersion written = await(store().put(newArn(), value("pw"), null));
        aws.resetCalls();

        assertEquals(Reason.INVALID_REQUEST, failureOf(store().get(written.arn(), SecretStage.PREVIOUS)));
        assertThat(aws.calls()).isEmpty();
    }

    @Test
    void versionIdThatIsNotAVersionNumberIsRefusedBeforeAnyCall() {
        SecretVersion current = await(store().put(newArn(), value("pw-1"), null));
        await(store().writePending(current.arn(), value("pw-2"), null));
        aws.resetCalls();

        // "pending" as a selector would read the label: refused rather than sent
        assertEquals(Reason.INVALID_REQUEST, failureOf(store().get(current.arn(), "pending")));
        assertEquals(Reason.INVALID_REQUEST, failureOf(store().get(current.arn(), "0")));
        assertEquals(Reason.INVALID_REQUEST, failureOf(store().promote(current.arn(), "pending")));
        assertThat(aws.calls()).isEmpty();
    }

    @Test
    void standardTierIsUsedByDefault() {
        SecretVersion written = await(store().put(newArn(), value("pw"), null));

        assertEquals(ParameterTier.STANDARD, tierOf(written));
    }

    @Test
    void advancedTierStoresEveryVersionAsAdvancedUpTo8192Bytes() {
        SsmSecretStore advanced = new SsmSecretStore(ssm, sessions, "alias/aws/ssm", true);

        SecretVersion larger = await(advanced.put(newArn(), valueOfSize(6000), null));

        assertEquals(valueOfSize(6000), await(advanced.getCurrent(larger.arn())));
        assertEquals(ParameterTier.ADVANCED, tierOf(larger));
        assertLimitIsExact(advanced, 8192);
    }

    @Test
    void parameterAlreadyExistsIsAlreadyExistsAndNotRetried() {
        SecretArn arn = newArn();
        aws.resetCalls();
        aws.errorNext(target("PutParameter"), 1, "ParameterAlreadyExists");

        assertEquals(Reason.ALREADY_EXISTS, failureOf(store().put(arn, value("pw"), null)));
        assertEquals(Map.of(target("PutParameter"), 1L), aws.calls());
    }

    private ParameterTier tierOf(SecretVersion version) {
        long number = Long.parseLong(version.versionId());
        return await(Uni.createFrom().completionStage(ssm.getParameterHistory(r -> r
                        .name(version.arn().parameterName()))))
                .parameters().stream()
                .filter(history -> history.version() == number)
                .findFirst()
                .orElseThrow()
                .tier();
    }
}
