package org.rcm.credentials.secretstore;

/**
 * A validated reference to one portal's secret: an SSM parameter or a Secrets Manager
 * secret named {@code rcm/{environment}/{tenant}/{portal}}. Instances come only from
 * {@link SecretNames}, which builds and validates them.
 *
 * <p>{@link #toString()} is sanitised; use {@link #value()} where the full ARN is needed
 * (AWS calls, the {@code secret_arn} column), never in messages.
 *
 * @param suffix Secrets Manager's random six-character suffix, or null when not yet known
 *     (a secret about to be created) and for SSM
 */
public record SecretArn(String partition, SecretBackend backend, String region, String account,
        String environment, String tenant, String portal, String suffix) {

    /** {@code rcm/{environment}/{tenant}/{portal}}. */
    public String path() {
        return "rcm/" + environment + "/" + tenant + "/" + portal;
    }

    /** The full ARN; for a Secrets Manager secret not yet created, the ARN without the suffix. */
    public String value() {
        String resource = switch (backend) {
            case SSM_PARAMETER_STORE -> "parameter/" + path();
            case SECRETS_MANAGER -> "secret:" + path() + (suffix == null ? "" : "-" + suffix);
        };
        return "arn:" + partition + ":" + backend.arnService() + ":" + region + ":" + account + ":" + resource;
    }

    /** The same secret addressed by name, as before it was created. */
    public SecretArn withoutSuffix() {
        return new SecretArn(partition, backend, region, account, environment, tenant, portal, null);
    }

    /** SSM parameter name, {@code /rcm/...}. */
    public String parameterName() {
        return "/" + path();
    }

    /** Secrets Manager {@code SecretId}: the full ARN when known, else the name. */
    public String secretId() {
        return suffix == null ? path() : value();
    }

    @Override
    public String toString() {
        return SecretNames.sanitize(value());
    }
}
