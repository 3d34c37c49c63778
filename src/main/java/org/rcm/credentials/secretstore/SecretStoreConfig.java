package org.rcm.credentials.secretstore;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** How secrets are written to SSM Parameter Store and Secrets Manager, {@code rcm.secret-store.*}. */
@ConfigMapping(prefix = "rcm.secret-store")
public interface SecretStoreConfig {

    /** Backend for portals whose request names none. */
    @WithDefault("SSM_PARAMETER_STORE")
    SecretBackend defaultBackend();

    /** KMS key that encrypts SSM SecureString parameters. */
    @WithDefault("alias/aws/ssm")
    @WithConverter(KmsKeyIdConverter.class)
    String ssmKmsKeyId();

    /** KMS key for Secrets Manager secrets; unset means the account's default key. */
    Optional<@WithConverter(KmsKeyIdConverter.class) String> secretsManagerKmsKeyId();

    /**
     * Use SSM's advanced tier (8 KB values instead of 4 KB; charged per parameter). Off, writes
     * ask for Intelligent-Tiering, which is Standard for values that fit and never downgrades a
     * parameter once made Advanced (AWS refuses that), so turning this off later breaks nothing.
     */
    @WithDefault("false")
    boolean ssmAdvancedTier();

    /**
     * Days a deleted Secrets Manager secret stays recoverable, 7 to 30; 0 deletes at once,
     * without recovery. Any other value stops the start-up.
     */
    @WithDefault("7")
    @WithConverter(RecoveryWindowConverter.class)
    int recoveryWindowDays();
}
