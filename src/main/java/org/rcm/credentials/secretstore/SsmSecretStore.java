package org.rcm.credentials.secretstore;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.regex.Pattern;
import org.rcm.credentials.secretstore.SecretStoreException.Reason;
import software.amazon.awssdk.services.ssm.SsmAsyncClient;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * SSM Parameter Store: one SecureString parameter per portal, a new version per write.
 * Versions are marked with labels, so that other readers of the parameter can tell which
 * version is current: {@code current} on the current version, {@code pending} on a
 * rotation's new version until it is promoted. There is no {@code previous} label.
 */
@ApplicationScoped
public class SsmSecretStore implements SecretStore {

    static final String CURRENT_LABEL = "current";
    static final String PENDING_LABEL = "pending";
    private static final Pattern VERSION_NUMBER = Pattern.compile("[1-9][0-9]{0,17}");

    private final SsmAsyncClient ssm;
    private final TenantSessions sessions;
    private final String kmsKeyId;
    private final boolean advancedTier;

    @Inject
    public SsmSecretStore(SsmAsyncClient ssm, TenantSessions sessions, SecretStoreConfig config) {
        this(ssm, sessions, config.ssmKmsKeyId(), config.ssmAdvancedTier());
    }

    /** For tests and tools; the service uses the configured values. */
    SsmSecretStore(SsmAsyncClient ssm, TenantSessions sessions, String kmsKeyId, boolean advancedTier) {
        this.ssm = ssm;
        this.sessions = sessions;
        this.kmsKeyId = kmsKeyId;
        this.advancedTier = advancedTier;
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
        return Uni.createFrom().item(() -> versionNumber(pendingVersionId))
                .chain(version -> label(arn, version, CURRENT_LABEL))
                .replaceWithVoid();
    }

    /** Reads {@code name:<version>}; a null id reads the {@code current} label. */
    @Override
    public Uni<SecretValue> get(SecretArn arn, String versionId) {
        if (versionId == null) {
            return getCurrent(arn);
        }
        return Uni.createFrom().item(() -> String.valueOf(versionNumber(versionId)))
                .chain(selector -> read(arn, selector));
    }

    /**
     * Reads {@code name:current} or {@code name:pending}. The current version is the labelled
     * one, not the latest: during a rotation the latest version is the pending one.
     */
    @Override
    public Uni<SecretValue> get(SecretArn arn, SecretStage stage) {
        return Uni.createFrom().item(() -> labelOf(stage))
                .chain(label -> read(arn, label));
    }

    @Override
    public Uni<String> currentVersionId(SecretArn arn) {
        return AwsCalls.call(() -> ssm.getParameter(r -> r
                        .overrideConfiguration(sessions.of(arn))
                        .name(arn.parameterName() + ":" + CURRENT_LABEL)
                        .withDecryption(false)))
                .map(response -> String.valueOf(response.parameter().version()));
    }

    /** GetParameter without a selector: the latest version, labelled or not. */
    @Override
    public Uni<String> newestVersionId(SecretArn arn) {
        return AwsCalls.call(() -> ssm.getParameter(r -> r
                        .overrideConfiguration(sessions.of(arn))
                        .name(arn.parameterName())
                        .withDecryption(false)))
                .map(response -> String.valueOf(response.parameter().version()));
    }

    /** DeleteParameter: false only when SSM answers ParameterNotFound; every other refusal fails. */
    @Override
    public Uni<Boolean> delete(SecretArn arn) {
        return AwsCalls.call(() -> ssm.deleteParameter(r -> r
                        .overrideConfiguration(sessions.of(arn))
                        .name(arn.parameterName())))
                .replaceWith(true)
                .onFailure(SecretStores.is(Reason.NOT_FOUND)).recoverWithItem(false);
    }

    private Uni<SecretVersion> writeVersion(SecretArn arn, SecretValue value, String label) {
        String json = SecretStores.requireFits(value, backend(), advancedTier);
        return AwsCalls.call(() -> ssm.putParameter(r -> r
                        .overrideConfiguration(sessions.of(arn))
                        .name(arn.parameterName())
                        .value(json)
                        .type(ParameterType.SECURE_STRING)
                        .keyId(kmsKeyId)
                        .tier(advancedTier ? ParameterTier.ADVANCED : ParameterTier.INTELLIGENT_TIERING)
                        .overwrite(true)))
                .chain(response -> label(arn, response.version(), label))
                .map(version -> new SecretVersion(arn, String.valueOf(version)));
    }

    /** GetParameter with a selector, a version number or a label, decrypted. */
    private Uni<SecretValue> read(SecretArn arn, String selector) {
        return AwsCalls.call(() -> ssm.getParameter(r -> r
                        .overrideConfiguration(sessions.of(arn))
                        .name(arn.parameterName() + ":" + selector)
                        .withDecryption(true)))
                .map(response -> SecretStores.parse(response.parameter().value()));
    }

    /** A version id as an SSM version number; anything else (a label, say) is refused. */
    private static long versionNumber(String versionId) {
        if (versionId == null || !VERSION_NUMBER.matcher(versionId).matches()) {
            throw new SecretStoreException(Reason.INVALID_REQUEST, null);
        }
        return Long.parseLong(versionId);
    }

    private static String labelOf(SecretStage stage) {
        return switch (stage) {
            case CURRENT -> CURRENT_LABEL;
            case PENDING -> PENDING_LABEL;
            case PREVIOUS -> throw new SecretStoreException(Reason.INVALID_REQUEST, null);
        };
    }

    private Uni<Long> label(SecretArn arn, long version, String label) {
        return AwsCalls.call(() -> ssm.labelParameterVersion(r -> r
                        .overrideConfiguration(sessions.of(arn))
                        .name(arn.parameterName())
                        .parameterVersion(version)
                        .labels(label)))
                .replaceWith(version);
    }
}
