package org.rcm.credentials.secretstore;

/** The AWS services that can hold a portal's secret. */
public enum SecretBackend {
    /** SSM Parameter Store, SecureString parameters. */
    SSM_PARAMETER_STORE("ssm"),
    /** Secrets Manager secrets. */
    SECRETS_MANAGER("secretsmanager");

    private final String arnService;

    SecretBackend(String arnService) {
        this.arnService = arnService;
    }

    /** The service part of this backend's ARNs. */
    public String arnService() {
        return arnService;
    }

    /** Largest serialised secret this backend accepts, in bytes. */
    public int maxValueBytes(boolean ssmAdvancedTier) {
        return switch (this) {
            case SSM_PARAMETER_STORE -> ssmAdvancedTier ? 8192 : 4096;
            case SECRETS_MANAGER -> 65_536;
        };
    }
}
