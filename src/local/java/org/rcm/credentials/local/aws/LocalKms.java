package org.rcm.credentials.local.aws;

import java.util.Map;
import java.util.Set;

/**
 * The KMS keys the local endpoint knows, as AWS resolves a {@code KeyId}: by key id, key ARN,
 * alias name or alias ARN, in the endpoint's own region and account. It knows the AWS managed
 * keys of SSM and Secrets Manager ({@code alias/aws/ssm}, {@code alias/aws/secretsmanager}) and
 * one customer managed key, {@value #CUSTOMER_KEY_ID} alias {@value #CUSTOMER_KEY_ALIAS}, for
 * configurations that name a key of their own. Anything else does not exist.
 */
final class LocalKms {

    /** The customer managed key: a key id in AWS's form. */
    static final String CUSTOMER_KEY_ID = "6f1c2a7e-0b4d-4e39-9a58-3c2f1d0e9b7a";
    static final String CUSTOMER_KEY_ALIAS = "alias/rcm-local";

    private final String arnPrefix;
    private final Map<String, String> aliases = Map.of(
            "alias/aws/ssm", "aws-ssm-managed-key",
            "alias/aws/secretsmanager", "aws-secretsmanager-managed-key",
            CUSTOMER_KEY_ALIAS, CUSTOMER_KEY_ID);
    private final Set<String> keyIds = Set.of(CUSTOMER_KEY_ID, "aws-ssm-managed-key", "aws-secretsmanager-managed-key");

    LocalKms(String region, String accountId) {
        this.arnPrefix = "arn:aws:kms:" + region + ":" + accountId + ":";
    }

    /** Whether {@code keyId} names a key that exists here. */
    boolean exists(String keyId) {
        String local = keyId.startsWith(arnPrefix) ? keyId.substring(arnPrefix.length()) : keyId;
        if (local.startsWith("key/")) {
            return keyIds.contains(local.substring("key/".length()));
        }
        if (local.startsWith("alias/")) {
            return aliases.containsKey(local);
        }
        return !keyId.startsWith("arn:") && keyIds.contains(local);
    }
}
