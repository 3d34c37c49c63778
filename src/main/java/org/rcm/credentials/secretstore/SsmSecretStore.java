package org.rcm.credentials.secretstore;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.secretstore.SecretStoreException.Reason;
import software.amazon.awssdk.services.ssm.SsmAsyncClient;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * SSM Parameter Store: one SecureString parameter per portal, a new version per write.
 * Versions are marked with labels, so that other readers of the parameter can tell which
 * version is current: {@code current} on the current version, {@code pending} on a
 * rotation's new version until it is promoted.
 */
@ApplicationScoped
public class SsmSecretStore implements SecretStore {

    static final String CURRENT_LABEL = "current";
    static final String PENDING_LABEL = "pending";

    private final SsmAsyncClient ssm;
    private final String kmsKeyId;
    private final boolean advancedTier;

    public SsmSecretStore(SsmAsyncClient ssm, BrokerConfig config) {
        this.ssm = ssm;
        this.kmsKeyId = config.secretStore().ssmKmsKeyId();
        this.advancedTier = config.secretStore().ssmAdvancedTier();
    }

    @Override
    public SecretBackend backend() {
        return SecretBackend.SSM_PARAMETER_STORE;
    }

    @Override
    public Uni<SecretVersion> put(SecretArn arn, SecretValue value, String requestToken) {
        return writeVersion(arn, value, CURRENT_LABEL);
    }

    @Override
    public Uni<SecretVersion> writePending(SecretArn arn, SecretValue value, String requestToken) {
        return writeVersion(arn, value, PENDING_LABEL);
    }

    @Override
    public Uni<Void> promote(SecretArn arn, String pendingVersionId) {
        return label(arn, Long.parseLong(pendingVersionId), CURRENT_LABEL).replaceWithVoid();
    }

    @Override
    public Uni<SecretValue> get(SecretArn arn, String versionId) {
        return AwsCalls.call(() -> ssm.getParameter(r -> r
                        .name(arn.parameterName() + ":" + Long.parseLong(versionId))
                        .withDecryption(true)))
                .map(response -> SecretStores.parse(response.parameter().value()));
    }

    @Override
    public Uni<String> currentVersionId(SecretArn arn) {
        return AwsCalls.call(() -> ssm.getParameter(r -> r
                        .name(arn.parameterName() + ":" + CURRENT_LABEL)
                        .withDecryption(false)))
                .map(response -> String.valueOf(response.parameter().version()));
    }

    @Override
    public Uni<Boolean> delete(SecretArn arn) {
        return AwsCalls.call(() -> ssm.deleteParameter(r -> r.name(arn.parameterName())))
                .replaceWith(true)
                .onFailure(SecretStores.is(Reason.NOT_FOUND)).recoverWithItem(false);
    }

    private Uni<SecretVersion> writeVersion(SecretArn arn, SecretValue value, String label) {
        String json = SecretStores.requireFits(value, backend(), advancedTier);
        return AwsCalls.call(() -> ssm.putParameter(r -> r
                        .name(arn.parameterName())
                        .value(json)
                        .type(ParameterType.SECURE_STRING)
                        .keyId(kmsKeyId)
                        .tier(advancedTier ? ParameterTier.ADVANCED : ParameterTier.STANDARD)
                        .overwrite(true)))
                .chain(response -> label(arn, response.version(), label))
                .map(version -> new SecretVersion(arn, String.valueOf(version)));
    }

    private Uni<Long> label(SecretArn arn, long version, String label) {
        return AwsCalls.call(() -> ssm.labelParameterVersion(r -> r
                        .name(arn.parameterName())
                        .parameterVersion(version)
                        .labels(label)))
                .replaceWith(version);
    }
}
