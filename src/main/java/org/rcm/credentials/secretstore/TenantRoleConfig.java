package org.rcm.credentials.secretstore;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Per-tenant AWS sessions, {@code rcm.aws.tenant-role.*}: every SSM and Secrets Manager call of
 * a tenant is signed with credentials of the tenant role, assumed with the session tag
 * {@code TenantId=<tenant>}, whose policy grants only {@code rcm/{environment}/{tenant}/*}
 * ({@code src/main/aws/tenant-role-policy.json}). Without a role ARN every call uses the
 * service's own role (single-tenant installations).
 */
@ConfigMapping(prefix = "rcm.aws.tenant-role")
public interface TenantRoleConfig {

    /**
     * ARN of the tenant role ({@code RCM_AWS_TENANT_ROLE_ARN}); unset: every call is signed by the
     * service's own role (ECS task role, IRSA role). An ARN that is not an IAM role's stops the start-up.
     */
    Optional<String> arn();

    /** Whether a set role ARN is used: on by default; off in the dev and test profiles unless a test turns it on. */
    @WithDefault("true")
    boolean enabled();

    /**
     * Lifetime asked for each tenant session, 15 minutes to 12 hours. AWS grants at most one hour
     * to a role assumed with another role's session (the ECS task role's, IRSA's): role chaining.
     */
    @WithDefault("1h")
    Duration sessionDuration();

    /**
     * How long before its expiry a tenant's session is renewed, in the background: calls keep
     * using the valid session meanwhile. Shorter than the session duration.
     */
    @WithDefault("5m")
    Duration refreshBefore();

    /** STS endpoint: the local endpoint in the tests and the local run; unset, the region's own. */
    Optional<URI> stsEndpointOverride();
}
