package org.rcm.credentials.secretstore;

/**
 * One written version of a secret.
 *
 * @param arn the secret, with its full ARN (Secrets Manager's suffix included)
 * @param versionId the store's id of the version: an SSM version number, or a Secrets
 *     Manager {@code VersionId}
 */
public record SecretVersion(SecretArn arn, String versionId) {
}
