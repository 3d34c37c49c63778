package org.rcm.credentials.secretstore;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.secretstore.SecretStoreException.Reason;

/** Picks the {@link SecretStore} for an ARN's service, and holds what both stores share. */
@ApplicationScoped
public class SecretStores {

    private final SsmSecretStore ssm;
    private final SecretsManagerSecretStore secretsManager;
    private final boolean ssmAdvancedTier;

    public SecretStores(SsmSecretStore ssm, SecretsManagerSecretStore secretsManager, SecretStoreConfig config) {
        this.ssm = ssm;
        this.secretsManager = secretsManager;
        this.ssmAdvancedTier = config.ssmAdvancedTier();
    }

    /** The store that holds {@code arn}. */
    public SecretStore of(SecretArn arn) {
        return of(arn.backend());
    }

    public SecretStore of(SecretBackend backend) {
        return switch (backend) {
            case SSM_PARAMETER_STORE -> ssm;
            case SECRETS_MANAGER -> secretsManager;
        };
    }

    /**
     * Checks that a value fits the backend before any AWS call.
     *
     * @throws BrokerException INVALID_INPUT when the serialised value is too large
     */
    public void requireFits(SecretValue value, SecretBackend backend) {
        requireFits(value, backend, ssmAdvancedTier);
    }

    static String requireFits(SecretValue value, SecretBackend backend, boolean ssmAdvancedTier) {
        String json = value.toJson();
        int limit = backend.maxValueBytes(ssmAdvancedTier);
        if (json.getBytes(StandardCharsets.UTF_8).length > limit) {
            throw BrokerException.invalidInput("SECRET_TOO_LARGE",
                    "credentials are larger than the secret store's limit of " + limit + " bytes");
        }
        return json;
    }

    /** Parses a stored value; a value that is not the expected JSON counts as unavailable. */
    static SecretValue parse(String json) {
        try {
            return SecretValue.fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new SecretStoreException(Reason.CORRUPT, null);
        }
    }

    /** Matches store failures of one reason, for {@code onFailure(...)}. */
    static Predicate<Throwable> is(Reason reason) {
        return t -> t instanceof SecretStoreException e && e.reason() == reason;
    }
}
