package org.rcm.credentials.local.aws;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** Secrets Manager in memory: secrets with versions (one per ClientRequestToken) and staging labels. Thread-safe. */
final class SecretsManagerStore implements AwsService {

    private static final String CURRENT = "AWSCURRENT";
    private static final String PREVIOUS = "AWSPREVIOUS";
    /** Versions kept; beyond, versions without a stage and older than a day are removed, or the write refused. */
    private static final int MAX_VERSIONS = 100;
    private static final Duration PRUNABLE_AFTER = Duration.ofHours(24);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9/_+=.@-]{1,512}");
    private static final String SUFFIX_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final TypeReference<Map<String, Secret>> STATE = new TypeReference<>() { };

    /**
     * One version of a secret; its id is the ClientRequestToken that created it. It holds a
     * {@code SecretString} or a {@code SecretBinary} (base64, as on the wire).
     */
    record SecretVersion(String secretString, String secretBinary, long createdMillis) {

        boolean sameValue(SecretVersion other) {
            return Objects.equals(secretString, other.secretString) && Objects.equals(secretBinary, other.secretBinary);
        }
    }

    /**
     * A secret, replaced as a whole when its dates change. {@code stages} maps a staging label to
     * the version id carrying it; {@code deletedMillis} is set while deletion is scheduled.
     */
    record Secret(String name, String arn, String description, String kmsKeyId, long createdMillis,
            long lastChangedMillis, Long deletedMillis, Map<String, SecretVersion> versions, Map<String, String> stages) {

        List<String> stagesOf(String versionId) {
            return stages.entrySet().stream()
                    .filter(entry -> entry.getValue().equals(versionId))
                    .map(Map.Entry::getKey)
                    .sorted()
                    .toList();
        }

        Secret changed(long lastChanged, Long deleted) {
            return new Secret(name, arn, description, kmsKeyId, createdMillis, lastChanged, deleted, versions, stages);
        }
    }

    private final String arnPrefix;
    private final LocalKms kms;
    private final Clock clock;
    private final Map<String, Secret> secrets = new HashMap<>();

    SecretsManagerStore(String region, String accountId, Clock clock) {
        this.arnPrefix = "arn:aws:secretsmanager:" + region + ":" + accountId + ":secret:";
        this.kms = new LocalKms(region, accountId);
        this.clock = clock;
    }

    @Override
    public String targetPrefix() {
        return "secretsmanager.";
    }

    @Override
    public String internalErrorCode() {
        return "InternalServiceError";
    }

    @Override
    public synchronized ObjectNode execute(String operation, JsonInput input) {
        return switch (operation) {
            case "CreateSecret" -> createSecret(input);
            case "PutSecretValue" -> putSecretValue(input);
            case "GetSecretValue" -> getSecretValue(input);
            case "UpdateSecretVersionStage" -> updateSecretVersionStage(input);
            case "DeleteSecret" -> deleteSecret(input);
            case "DescribeSecret" -> describeSecret(input);
            case "RestoreSecret" -> restoreSecret(input);
            default -> throw AwsError.client("UnknownOperationException", "Unknown operation " + operation);
        };
    }

    @Override
    public synchronized JsonNode snapshot() {
        return Json.MAPPER.valueToTree(secrets);
    }

    @Override
    public synchronized void restore(JsonNode snapshot) {
        secrets.clear();
        secrets.putAll(Json.MAPPER.convertValue(snapshot, STATE));
    }

    @Override
    public synchronized void clear() {
        secrets.clear();
    }

    /** For an existing name, repeating the same token with the same value answers as the first call did. */
    private ObjectNode createSecret(JsonInput input) {
        String name = input.requiredText("Name");
        if (!NAME.matcher(name).matches()) {
            throw AwsError.validation("Invalid name. Must be 1-512 letters, digits or any of /_+=.@-");
        }
        String token = clientRequestToken(input);
        long now = clock.millis();
        Optional<SecretVersion> value = value(input, now);
        Optional<String> kmsKeyId = input.text("KmsKeyId");
        if (kmsKeyId.isPresent() && !kms.exists(kmsKeyId.get())) {
            throw AwsError.client("EncryptionFailure", "Secrets Manager can't encrypt the protected secret text using the"
                    + " provided KMS key. Check that the KMS key is available, enabled, and not in an invalid state.");
        }
        Secret existing = secrets.get(name);
        if (existing != null && existing.deletedMillis() != null) {
            throw AwsError.client("InvalidRequestException", "You can't create this secret because a secret with "
                    + "this name is already scheduled for deletion.");
        }
        if (existing != null) {
            SecretVersion version = existing.versions().get(token);
            if (version == null || !value.map(version::sameValue).orElse(false)) {
                throw AwsError.client("ResourceExistsException", "The operation failed because the secret " + name
                        + " already exists.");
            }
            return identity(existing).put("VersionId", token);
        }
        Secret secret = new Secret(name, arnPrefix + name + "-" + randomSuffix(), input.text("Description").orElse(null),
                kmsKeyId.orElse(null), now, now, null, new LinkedHashMap<>(), new HashMap<>());
        value.ifPresent(version -> {
            secret.versions().put(token, version);
            secret.stages().put(CURRENT, token);
        });
        secrets.put(name, secret);
        return value.isPresent() ? identity(secret).put("VersionId", token) : identity(secret);
    }

    /** A known token with the same value changes nothing; stages named here leave their other versions. */
    private ObjectNode putSecretValue(JsonInput input) {
        Secret secret = requireActive(input.requiredText("SecretId"));
        String token = clientRequestToken(input);
        long now = clock.millis();
        SecretVersion value = value(input, now).orElseThrow(() -> AwsError.client(
                "InvalidRequestException", "You must provide either SecretString or SecretBinary."));
        SecretVersion existing = secret.versions().get(token);
        if (existing != null && !existing.sameValue(value)) {
            throw AwsError.client("ResourceExistsException", "You can't modify an existing version, you can only "
                    + "create a new version.");
        }
        if (existing == null) {
            makeRoomForAVersion(secret, now);
            secret.versions().put(token, value);
            List<String> stages = input.texts("VersionStages");
            (stages.isEmpty() ? List.of(CURRENT) : stages).forEach(stage -> moveStage(secret, stage, token));
            secrets.put(secret.name(), secret.changed(now, null));
        }
        ObjectNode out = identity(secret).put("VersionId", token);
        return out.set("VersionStages", Json.strings(secret.stagesOf(token)));
    }

    /** Exactly one of SecretString and SecretBinary, within the size limit, as a version created {@code now}. */
    private static Optional<SecretVersion> value(JsonInput input, long now) {
        Optional<String> text = input.text("SecretString");
        Optional<String> binary = input.text("SecretBinary");
        if (text.isPresent() && binary.isPresent()) {
            throw AwsError.client("InvalidParameterException", "You can't specify both a binary secret value and a string"
                    + " secret value in the same secret.");
        }
        text.ifPresent(SecretsManagerStore::checkSize);
        binary.ifPresent(base64 -> {
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(base64);
            } catch (IllegalArgumentException e) {
                throw AwsError.validation("SecretBinary must be base64.");
            }
            if (bytes.length > 65536) {
                throw AwsError.validation("1 validation error detected: Value at 'secretBinary' failed to satisfy "
                        + "constraint: Member must have length less than or equal to 65536");
            }
        });
        return text.isPresent() || binary.isPresent()
                ? Optional.of(new SecretVersion(text.orElse(null), binary.orElse(null), now)) : Optional.empty();
    }

    /**
     * At {@value #MAX_VERSIONS} versions, removes the oldest version that has no stage and is
     * older than 24 hours; with none, the new version is refused (LimitExceededException).
     */
    private static void makeRoomForAVersion(Secret secret, long now) {
        while (secret.versions().size() >= MAX_VERSIONS) {
            String prunable = secret.versions().entrySet().stream()
                    .filter(entry -> secret.stagesOf(entry.getKey()).isEmpty())
                    .filter(entry -> entry.getValue().createdMillis() <= now - PRUNABLE_AFTER.toMillis())
                    .min(Comparator.comparingLong(entry -> entry.getValue().createdMillis()))
                    .map(Map.Entry::getKey)
                    .orElseThrow(() -> AwsError.client("LimitExceededException", "The request failed because it would"
                            + " exceed the maximum number of versions of this secret: versions younger than 24 hours"
                            + " are not removed."));
            secret.versions().remove(prunable);
        }
    }

    /** Puts {@code stage} on {@code versionId}; a moving AWSCURRENT leaves AWSPREVIOUS on its old version. */
    private static void moveStage(Secret secret, String stage, String versionId) {
        String from = secret.stages().put(stage, versionId);
        if (CURRENT.equals(stage) && from != null && !from.equals(versionId)) {
            secret.stages().put(PREVIOUS, from);
        }
    }

    private ObjectNode getSecretValue(JsonInput input) {
        Secret secret = requireActive(input.requiredText("SecretId"));
        Optional<String> stage = input.text("VersionStage");
        String versionId = input.text("VersionId")
                .map(id -> requireVersion(secret, id))
                .orElseGet(() -> secret.stages().get(stage.orElse(CURRENT)));
        if (versionId == null || stage.isPresent() && !versionId.equals(secret.stages().get(stage.get()))) {
            throw AwsError.client("ResourceNotFoundException", "Secrets Manager can't find the specified secret "
                    + "value for staging label: " + stage.orElse(CURRENT));
        }
        SecretVersion version = secret.versions().get(versionId);
        ObjectNode out = identity(secret).put("VersionId", versionId);
        if (version.secretString() != null) {
            out.put("SecretString", version.secretString());
        } else {
            out.put("SecretBinary", version.secretBinary());
        }
        out.set("VersionStages", Json.strings(secret.stagesOf(versionId)));
        return out.set("CreatedDate", Json.timestamp(secret.versions().get(versionId).createdMillis()));
    }

    /** A stage held by another version moves only when RemoveFromVersionId names that version. */
    private ObjectNode updateSecretVersionStage(JsonInput input) {
        Secret secret = requireActive(input.requiredText("SecretId"));
        String stage = input.requiredText("VersionStage");
        String moveTo = input.text("MoveToVersionId").map(id -> requireVersion(secret, id)).orElse(null);
        String removeFrom = input.text("RemoveFromVersionId").map(id -> requireVersion(secret, id)).orElse(null);
        String holder = secret.stages().get(stage);
        if (removeFrom != null && !removeFrom.equals(holder)) {
            throw AwsError.client("InvalidParameterException", "The staging label " + stage
                    + " is not attached to version " + removeFrom + ".");
        }
        if (holder != null && !holder.equals(moveTo) && !holder.equals(removeFrom)) {
            throw AwsError.client("InvalidParameterException", "The parameter RemoveFromVersionId can't be empty. "
                    + "Staging label " + stage + " is currently attached to version " + holder
                    + ", so you must explicitly reference that version in RemoveFromVersionId.");
        }
        if (moveTo == null && removeFrom != null && CURRENT.equals(stage)) {
            throw AwsError.client("InvalidParameterException", "You can't remove AWSCURRENT, only move it.");
        }
        if (moveTo != null) {
            moveStage(secret, stage, moveTo);
        } else {
            secret.stages().remove(stage, removeFrom);
        }
        secrets.put(secret.name(), secret.changed(clock.millis(), null));
        return identity(secret);
    }

    /** Force removes at once (a missing secret included); otherwise deletion is scheduled after the window. */
    private ObjectNode deleteSecret(JsonInput input) {
        String secretId = input.requiredText("SecretId");
        Optional<Long> window = input.number("RecoveryWindowInDays");
        boolean force = input.flag("ForceDeleteWithoutRecovery");
        if (force && window.isPresent() || window.orElse(30L) < 7 || window.orElse(30L) > 30) {
            throw AwsError.client("InvalidParameterException", "RecoveryWindowInDays must be between 7 and 30 days "
                    + "and can't be combined with ForceDeleteWithoutRecovery.");
        }
        Secret secret = find(secretId);
        long now = clock.millis();
        if (force) {
            Optional.ofNullable(secret).ifPresent(deleted -> secrets.remove(deleted.name()));
            ObjectNode out = secret != null ? identity(secret) : Json.object().put("Name", secretId)
                    .put("ARN", secretId.startsWith("arn:") ? secretId : arnPrefix + secretId + "-" + randomSuffix());
            return out.set("DeletionDate", Json.timestamp(now));
        }
        Secret active = requireActive(secretId);
        secrets.put(active.name(), active.changed(now, now));
        long deletionDate = now + Duration.ofDays(window.orElse(30L)).toMillis();
        return identity(active).set("DeletionDate", Json.timestamp(deletionDate));
    }

    private ObjectNode describeSecret(JsonInput input) {
        Secret secret = require(input.requiredText("SecretId"));
        ObjectNode out = identity(secret);
        Optional.ofNullable(secret.description()).ifPresent(description -> out.put("Description", description));
        Optional.ofNullable(secret.kmsKeyId()).ifPresent(keyId -> out.put("KmsKeyId", keyId));
        Optional.ofNullable(secret.deletedMillis()).ifPresent(deleted -> out.set("DeletedDate", Json.timestamp(deleted)));
        out.set("CreatedDate", Json.timestamp(secret.createdMillis()));
        out.set("LastChangedDate", Json.timestamp(secret.lastChangedMillis()));
        ObjectNode versions = out.putObject("VersionIdsToStages");
        secret.versions().keySet().stream()
                .filter(id -> secret.stages().containsValue(id))
                .forEach(id -> versions.set(id, Json.strings(secret.stagesOf(id))));
        return out;
    }

    private ObjectNode restoreSecret(JsonInput input) {
        Secret secret = require(input.requiredText("SecretId"));
        secrets.put(secret.name(), secret.changed(clock.millis(), null));
        return identity(secret);
    }

    /** Finds a secret by name, full ARN, or ARN without the random suffix; null when absent. */
    private Secret find(String secretId) {
        if (!secretId.startsWith(arnPrefix)) {
            return secrets.get(secretId);
        }
        String rest = secretId.substring(arnPrefix.length());
        Secret byPartialArn = secrets.get(rest);
        Secret byFullArn = rest.length() > 7 ? secrets.get(rest.substring(0, rest.length() - 7)) : null;
        return byPartialArn != null ? byPartialArn
                : byFullArn != null && byFullArn.arn().equals(secretId) ? byFullArn : null;
    }

    private Secret require(String secretId) {
        return Optional.ofNullable(find(secretId)).orElseThrow(() -> AwsError.client("ResourceNotFoundException",
                "Secrets Manager can't find the specified secret."));
    }

    private Secret requireActive(String secretId) {
        Secret secret = require(secretId);
        if (secret.deletedMillis() != null) {
            throw AwsError.client("InvalidRequestException", "You can't perform this operation on the secret "
                    + "because it was marked for deletion.");
        }
        return secret;
    }

    private static String requireVersion(Secret secret, String versionId) {
        if (!secret.versions().containsKey(versionId)) {
            throw AwsError.client("ResourceNotFoundException", "Secrets Manager can't find the specified secret "
                    + "value for VersionId: " + versionId);
        }
        return versionId;
    }

    private static String clientRequestToken(JsonInput input) {
        String token = input.text("ClientRequestToken").orElseGet(() -> UUID.randomUUID().toString());
        if (token.length() < 32 || token.length() > 64) {
            throw AwsError.validation("1 validation error detected: Value at 'clientRequestToken' failed to "
                    + "satisfy constraint: Member must have length between 32 and 64");
        }
        return token;
    }

    private static String checkSize(String secretString) {
        if (secretString.getBytes(StandardCharsets.UTF_8).length > 65536) {
            throw AwsError.validation("1 validation error detected: Value at 'secretString' failed to satisfy "
                    + "constraint: Member must have length less than or equal to 65536");
        }
        return secretString;
    }

    private static ObjectNode identity(Secret secret) {
        return Json.object()
                .put("ARN", secret.arn())
                .put("Name", secret.name());
    }

    private static String randomSuffix() {
        StringBuilder suffix = new StringBuilder();
        ThreadLocalRandom.current()
                .ints(6, 0, SUFFIX_CHARACTERS.length())
                .forEach(index -> suffix.append(SUFFIX_CHARACTERS.charAt(index)));
        return suffix.toString();
    }
}
