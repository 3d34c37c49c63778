package org.rcm.credentials.secretstore;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.rcm.credentials.config.BrokerClock;
import org.rcm.credentials.reactive.VertxContexts;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.services.sts.StsAsyncClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.Tag;

/**
 * The credentials each tenant's SSM and Secrets Manager calls are signed with (attribute-based
 * access control): with a tenant role configured ({@link TenantRoleConfig}), a session of that
 * role assumed with the session tag {@code TenantId=<tenant>}, whose policy allows only names
 * under the tenant's prefix; so a bug that builds another tenant's name is refused by AWS,
 * not only by {@link SecretNames}. Sessions are kept per tenant ({@link TenantSession}): a
 * tenant's first call costs one AssumeRole, later ones none. AssumeRole failures are
 * classified like every AWS failure ({@link AwsCalls#classify}). Without a tenant role every
 * call is signed by the service's own role.
 */
@Startup // checks its settings when the service starts, not at a tenant's first call
@ApplicationScoped
public class TenantSessions {

    /** The session tag that the tenant role's policy reads as {@code aws:PrincipalTag/TenantId}. */
    static final String TENANT_TAG = "TenantId";
    static final Duration SHORTEST_SESSION = Duration.ofMinutes(15);
    static final Duration LONGEST_SESSION = Duration.ofHours(12);
    /** A request signed just before expiry must still reach AWS in time. */
    static final Duration EXPIRY_MARGIN = Duration.ofMinutes(1);

    private static final Logger LOG = Logger.getLogger(TenantSessions.class);
    private static final Pattern ROLE_ARN = Pattern.compile("arn:(aws|aws-cn|aws-us-gov):iam::\\d{12}:role/[\\w+=,.@/-]{1,512}");
    private static final int MAX_SESSION_NAME = 64;

    private final Instance<StsAsyncClient> sts;
    private final BrokerClock clock;
    private final String roleArn;
    private final Duration sessionDuration;
    private final Duration refreshBefore;
    private final ConcurrentMap<String, TenantSession> sessions = new ConcurrentHashMap<>();

    public TenantSessions(Instance<StsAsyncClient> sts, BrokerClock clock, TenantRoleConfig config) {
        this.sts = sts;
        this.clock = clock;
        this.roleArn = config.enabled() ? config.arn().map(TenantSessions::requireRoleArn).orElse(null) : null;
        this.sessionDuration = config.sessionDuration();
        this.refreshBefore = config.refreshBefore();
        if (sessionDuration.compareTo(SHORTEST_SESSION) < 0 || sessionDuration.compareTo(LONGEST_SESSION) > 0) {
            throw new IllegalArgumentException("rcm.aws.tenant-role.session-duration must be 15m to 12h");
        }
        if (refreshBefore.isNegative() || refreshBefore.compareTo(sessionDuration) >= 0) {
            throw new IllegalArgumentException("rcm.aws.tenant-role.refresh-before must be shorter than the session duration");
        }
    }

    /** Whether calls are signed per tenant (a tenant role is configured and enabled). */
    public boolean perTenant() {
        return roleArn != null;
    }

    /**
     * What a request about {@code arn} carries: without a tenant role null (the client's own
     * credentials, the service's role); with one, the session of the tenant the request acts
     * for, which is the caller's certificate's tenant in a gRPC call
     * ({@link VertxContexts#actFor}) and the secret's own tenant in a job. The session is never
     * chosen by the name: a call that names another tenant's secret, which only a bug could
     * build, is signed as its caller and refused by AWS.
     */
    AwsRequestOverrideConfiguration of(SecretArn arn) {
        if (roleArn == null) {
            return null;
        }
        String acting = VertxContexts.actingTenant();
        String tenant = acting == null ? arn.tenant() : acting;
        if (!tenant.equals(arn.tenant())) {
            LOG.errorf("A call of tenant %s named a secret of another tenant: it is signed as %s, and AWS refuses it", tenant,
                    tenant);
        }
        return session(tenant).override();
    }

    /** The credentials provider of a tenant's calls (with a tenant role configured). */
    IdentityProvider<AwsCredentialsIdentity> credentialsOf(String tenant) {
        if (roleArn == null) {
            throw new IllegalStateException("no tenant role is configured");
        }
        return session(tenant);
    }

    private TenantSession session(String tenant) {
        return sessions.computeIfAbsent(tenant, key -> new TenantSession(key, this::assumeRole, clock::now));
    }

    /** One AssumeRole for the tenant; fails with a classified {@link SecretStoreException}. */
    private CompletableFuture<TenantSession.Issued> assumeRole(String tenant) {
        try {
            return sts.get().assumeRole(r -> r
                            .roleArn(roleArn)
                            .roleSessionName(sessionName(tenant))
                            .durationSeconds((int) sessionDuration.toSeconds())
                            .tags(Tag.builder().key(TENANT_TAG).value(tenant).build()))
                    .handle(this::issued);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(classify(e));
        }
    }

    private TenantSession.Issued issued(AssumeRoleResponse response, Throwable failure) {
        if (failure != null) {
            throw classify(failure);
        }
        Credentials credentials = response.credentials();
        // AWS states the expiry on its clock; the broker's clock may run ahead (tests move it):
        // what counts is the time left, measured from now on the broker's clock.
        Instant now = clock.now();
        Instant expires = now.plus(Duration.between(Instant.now(), credentials.expiration()));
        return new TenantSession.Issued(
                AwsSessionCredentialsIdentity.create(credentials.accessKeyId(), credentials.secretAccessKey(),
                        credentials.sessionToken()),
                expires.minus(refreshBefore),
                expires.minus(EXPIRY_MARGIN));
    }

    /**
     * An AssumeRole failure, classified like every AWS failure; but what STS refuses for any
     * other reason than throttling or an outage (a session duration above the role's maximum,
     * say) is the service's setup, never the caller's request: ACCESS_DENIED.
     */
    static SecretStoreException classify(Throwable failure) {
        SecretStoreException classified = AwsCalls.classify(failure);
        if (classified.isTransient() || classified.reason() == SecretStoreException.Reason.ACCESS_DENIED) {
            return classified;
        }
        return new SecretStoreException(SecretStoreException.Reason.ACCESS_DENIED, classified.awsErrorCode());
    }

    /** {@code rcm-<tenant>}, cut to STS's 64 characters; the tag, not the name, carries the tenant. */
    static String sessionName(String tenant) {
        String name = "rcm-" + tenant;
        return name.length() > MAX_SESSION_NAME ? name.substring(0, MAX_SESSION_NAME) : name;
    }

    /** The configured ARN if it is an IAM role's; never echoed, like every ARN. */
    private static String requireRoleArn(String arn) {
        if (!ROLE_ARN.matcher(arn).matches()) {
            throw new IllegalArgumentException("rcm.aws.tenant-role.arn (RCM_AWS_TENANT_ROLE_ARN) is not an IAM role ARN");
        }
        return arn;
    }
}
