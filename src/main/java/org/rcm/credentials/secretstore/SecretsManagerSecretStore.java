package org.rcm.credentials.secretstore;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.function.Consumer;
import org.rcm.credentials.secretstore.SecretStoreException.Reason;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerAsyncClient;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;

/**
 * Secrets Manager: one secret per portal, versions marked with the service's own stages
 * ({@code AWSCURRENT}, {@code AWSPENDING}, {@code AWSPREVIOUS}); writes carry a
 * {@code ClientRequestToken} so that retries are idempotent.
 */
@ApplicationScoped
public class SecretsManagerSecretStore implements SecretStore {

    static final String CURRENT = "AWSCURRENT";
    static final String PENDING = "AWSPENDING";
    static final String PREVIOUS = "AWSPREVIOUS";

    private final SecretsManagerAsyncClient client;
    private final TenantSessions sessions;
    private final SecretNames names;
    private final String kmsKeyId;
    private final int recoveryWindowDays;

    public SecretsManagerSecretStore(SecretsManagerAsyncClient client, TenantSessions sessions, SecretNames names,
            SecretStoreConfig config) {
        this.client = client;
        this.sessions = sessions;
        this.names = names;
        this.kmsKeyId = config.secretsManagerKmsKeyId().orElse(null);
        this.recoveryWindowDays = config.recoveryWindowDays();
    }

    @Override
    public SecretBackend backend() {
        return SecretBackend.SECRETS_MANAGER;
    }

    /**
     * Puts a new current version. A secret that does not exist yet is created; one scheduled
     * for deletion (a Delete within its recovery window) is restored first; one deleted
     * outside the service is created again.
     */
    @Override
    public Uni<SecretVersion> put(SecretArn arn, SecretValue value, String requestToken) {
        String json = SecretStores.requireFits(value, backend(), false);
        Uni<SecretVersion> write = arn.suffix() != null
                ? putValue(arn, json, requestToken, CURRENT)
                : create(arn, json, requestToken)
                        .onFailure(SecretStores.is(Reason.ALREADY_EXISTS)).recoverWithUni(() -> putValue(arn, json, requestToken, CURRENT));
        return write
                .onFailure(SecretStores.is(Reason.INVALID_REQUEST)).recoverWithUni(() -> restoreAndPut(arn, json, requestToken))
                .onFailure(SecretStores.is(Reason.NOT_FOUND)).recoverWithUni(() -> create(arn.withoutSuffix(), json, requestToken));
    }

    @Override
    public Uni<SecretVersion> writePending(SecretArn arn, SecretValue value, String requestToken) {
        return putValue(arn, SecretStores.requireFits(value, backend(), false), requestToken, PENDING);
    }

    @Override
    public Uni<Void> promote(SecretArn arn, String pendingVersionId) {
        return currentVersionId(arn)
                .chain(current -> current.equals(pendingVersionId) ? Uni.createFrom().voidItem()
                        : AwsCalls.call(() -> client.updateSecretVersionStage(r -> r
                                .overrideConfiguration(sessions.of(arn))
                                .secretId(arn.secretId())
                                .versionStage(CURRENT)
                                .moveToVersionId(pendingVersionId)
                                .removeFromVersionId(current))).replaceWithVoid());
    }

    /** GetSecretValue by {@code VersionId}; a null id reads {@code AWSCURRENT}. */
    @Override
    public Uni<SecretValue> get(SecretArn arn, String versionId) {
        if (versionId == null) {
            return getCurrent(arn);
        }
        return read(arn, r -> r.versionId(versionId));
    }

    /** GetSecretValue by {@code VersionStage}: AWSCURRENT, AWSPENDING or AWSPREVIOUS. */
    @Override
    public Uni<SecretValue> get(SecretArn arn, SecretStage stage) {
        String versionStage = stageOf(stage);
        return read(arn, r -> r.versionStage(versionStage));
    }

    /** {@code AWSCURRENT}: another writer's {@code PutSecretValue} moves it. */
    @Override
    public Uni<String> newestVersionId(SecretArn arn) {
        return currentVersionId(arn);
    }

    @Override
    public Uni<String> currentVersionId(SecretArn arn) {
        return AwsCalls.call(() -> client.describeSecret(r -> r
                        .overrideConfiguration(sessions.of(arn))
                        .secretId(arn.secretId())))
                .map(SecretsManagerSecretStore::currentVersion);
    }

    /**
     * DeleteSecret with the recovery window, or {@code ForceDeleteWithoutRecovery} when it is 0.
     * False when Secrets Manager answers ResourceNotFoundException, or refuses because the
     * deletion is already scheduled (an InvalidRequestException for a secret that
     * DescribeSecret shows with a deletion date). Any other refusal fails, InvalidRequestException
     * for other reasons (replicas, say) included. A delete without recovery of a missing secret
     * succeeds in Secrets Manager, so it is true.
     */
    @Override
    public Uni<Boolean> delete(SecretArn arn) {
        return AwsCalls.call(() -> client.deleteSecret(r -> {
                    r.overrideConfiguration(sessions.of(arn)).secretId(arn.secretId());
                    if (recoveryWindowDays == 0) {
                        r.forceDeleteWithoutRecovery(true);
                    } else {
                        r.recoveryWindowInDays((long) recoveryWindowDays);
                    }
                }))
                .replaceWith(true)
                .onFailure(SecretStores.is(Reason.NOT_FOUND)).recoverWithItem(false)
                .onFailure(SecretStores.is(Reason.INVALID_REQUEST)).recoverWithUni(refusal -> unlessScheduled(arn, refusal));
    }

    /** GetSecretValue of one version; a secret scheduled for deletion (InvalidRequestException) is not found. */
    private Uni<SecretValue> read(SecretArn arn, Consumer<GetSecretValueRequest.Builder> version) {
        return AwsCalls.call(() -> client.getSecretValue(r -> version.accept(r
                        .overrideConfiguration(sessions.of(arn))
                        .secretId(arn.secretId()))))
                .onFailure(SecretStores.is(Reason.INVALID_REQUEST)).transform(markedForDeletion -> notFound())
                .map(response -> SecretStores.parse(response.secretString()));
    }

    private Uni<SecretVersion> create(SecretArn arn, String json, String requestToken) {
        return AwsCalls.call(() -> client.createSecret(r -> r
                        .overrideConfiguration(sessions.of(arn))
                        .name(arn.path())
                        .secretString(json)
                        .kmsKeyId(kmsKeyId)
                        .clientRequestToken(requestToken)))
                .map(response -> new SecretVersion(withArn(arn, response.arn()), response.versionId()));
    }

    private Uni<SecretVersion> putValue(SecretArn arn, String json, String requestToken, String stage) {
        return AwsCalls.call(() -> client.putSecretValue(r -> r
                        .overrideConfiguration(sessions.of(arn))
                        .secretId(arn.secretId())
                        .secretString(json)
                        .clientRequestToken(requestToken)
                        .versionStages(stage)))
                .map(response -> new SecretVersion(withArn(arn, response.arn()), response.versionId()));
    }

    /** A secret deleted within its recovery window is restored, then written. */
    private Uni<SecretVersion> restoreAndPut(SecretArn arn, String json, String requestToken) {
        return AwsCalls.call(() -> client.restoreSecret(r -> r
                        .overrideConfiguration(sessions.of(arn))
                        .secretId(arn.path())))
                .chain(() -> putValue(arn, json, requestToken, CURRENT));
    }

    /**
     * A refused delete: false when the secret is gone or its deletion is already scheduled,
     * else the refusal stands. Decided by DescribeSecret's deletion date, not by AWS's message.
     */
    private Uni<Boolean> unlessScheduled(SecretArn arn, Throwable refusal) {
        return AwsCalls.call(() -> client.describeSecret(r -> r
                        .overrideConfiguration(sessions.of(arn))
                        .secretId(arn.secretId())))
                .chain(described -> described.deletedDate() != null
                        ? Uni.createFrom().item(false)
                        : Uni.createFrom().<Boolean>failure(refusal))
                .onFailure(SecretStores.is(Reason.NOT_FOUND)).recoverWithItem(false);
    }

    private SecretArn withArn(SecretArn requested, String returnedArn) {
        return names.parse(returnedArn, requested.tenant(), requested.portal());
    }

    private static String currentVersion(DescribeSecretResponse response) {
        return response.versionIdsToStages().entrySet().stream()
                .filter(e -> e.getValue().contains(CURRENT))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElseThrow(SecretsManagerSecretStore::notFound);
    }

    private static String stageOf(SecretStage stage) {
        return switch (stage) {
            case CURRENT -> CURRENT;
            case PENDING -> PENDING;
            case PREVIOUS -> PREVIOUS;
        };
    }

    private static SecretStoreException notFound() {
        return new SecretStoreException(Reason.NOT_FOUND, null);
    }
}
