package org.rcm.credentials.secretstore;

/**
 * The versions of a secret that the stores mark, so that they can be read without knowing
 * their ids: SSM Parameter Store with parameter labels, Secrets Manager with its staging
 * labels.
 */
public enum SecretStage {
    /** The version readers get: SSM label {@code current}, Secrets Manager {@code AWSCURRENT}. */
    CURRENT,
    /**
     * The version a rotation wrote before promoting it: SSM label {@code pending}, Secrets
     * Manager {@code AWSPENDING}. After the promotion it may still mark the new current version.
     */
    PENDING,
    /**
     * The version that was current before the current one: Secrets Manager
     * {@code AWSPREVIOUS}. SSM keeps no such mark: reading it there fails INVALID_REQUEST
     * before any AWS call.
     */
    PREVIOUS
}
