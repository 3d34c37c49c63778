package org.rcm.credentials.secretstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.secretstore.SecretStoreException.Reason;
import software.amazon.awssdk.services.ssm.SsmAsyncClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** SSM Parameter Store: SecureString parameters, version numbers, {@code current}/{@code pending} labels. */
@QuarkusTest
class SsmSecretStoreTest extends SecretStoreTestBase {

    @Inject
    SsmAsyncClient ssm;

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

        var parameter = await(io.smallrye.mutiny.Uni.createFrom().completionStage(ssm.getParameter(r -> r
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
    void advancedTierLimitIsNotUsedByDefault() {
        assertEquals(4096, SecretBackend.SSM_PARAMETER_STORE.maxValueBytes(false));
        assertEquals(8192, SecretBackend.SSM_PARAMETER_STORE.maxValueBytes(true));
    }
}
