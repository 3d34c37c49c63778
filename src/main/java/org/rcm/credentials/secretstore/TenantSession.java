package org.rcm.credentials.secretstore;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;

/**
 * One tenant's AWS session, as the credentials provider of that tenant's requests. Never
 * blocks: a valid session is answered at once; the first call, and any call after the session
 * expired, waits for one AssumeRole that every concurrent caller shares (single flight); a
 * session in its renewal window is answered at once while one AssumeRole renews it in the
 * background. A failed renewal leaves the session in use until it expires, and the next
 * background renewal waits {@link #RENEWAL_PAUSE}, so that an STS outage is not asked again
 * on every call.
 */
final class TenantSession implements IdentityProvider<AwsCredentialsIdentity> {

    private static final Logger LOG = Logger.getLogger(TenantSession.class);
    /** How long after a failed renewal the next is left to wait, while the session is valid. */
    static final Duration RENEWAL_PAUSE = Duration.ofSeconds(30);

    /**
     * Credentials of one AssumeRole, and when, on the broker's clock, to renew them and to stop
     * using them.
     */
    record Issued(AwsSessionCredentialsIdentity identity, Instant renewAt, Instant usableUntil) {
    }

    private final String tenant;
    /** What each of the tenant's requests carries: this session as its credentials provider. */
    private final AwsRequestOverrideConfiguration override;
    private final Function<String, CompletableFuture<Issued>> assumeRole;
    private final Supplier<Instant> clock;
    private volatile Issued current;
    /** No background renewal before this, after a failed one. */
    private volatile Instant pausedUntil = Instant.MIN;
    /** The AssumeRole under way, if any; guarded by {@code this}. */
    private CompletableFuture<Issued> renewal;

    TenantSession(String tenant, Function<String, CompletableFuture<Issued>> assumeRole, Supplier<Instant> clock) {
        this.tenant = tenant;
        this.assumeRole = assumeRole;
        this.clock = clock;
        this.override = AwsRequestOverrideConfiguration.builder().credentialsProvider(this).build();
    }

    AwsRequestOverrideConfiguration override() {
        return override;
    }

    @Override
    public Class<AwsCredentialsIdentity> identityType() {
        return AwsCredentialsIdentity.class;
    }

    @Override
    public CompletableFuture<AwsCredentialsIdentity> resolveIdentity(ResolveIdentityRequest request) {
        Instant now = clock.get();
        Issued held = current;
        if (held != null && now.isBefore(held.usableUntil())) {
            if (!now.isBefore(held.renewAt()) && !now.isBefore(pausedUntil)) {
                renew();
            }
            return CompletableFuture.completedFuture(held.identity());
        }
        return renew().thenApply(Issued::identity);
    }

    /**
     * Starts an AssumeRole unless one is under way; either way answers that one. The lock is
     * held only to pick the caller that starts it, never during the SDK call.
     */
    CompletableFuture<Issued> renew() {
        CompletableFuture<Issued> started;
        synchronized (this) {
            if (renewal != null) {
                return renewal;
            }
            started = new CompletableFuture<>();
            renewal = started;
        }
        started.whenComplete((issued, failure) -> settle(started, issued, failure));
        assumeRole.apply(tenant).whenComplete((issued, failure) -> {
            if (failure != null) {
                started.completeExceptionally(failure);
            } else {
                started.complete(issued);
            }
        });
        return started;
    }

    /** Forgets the current session, which AWS refused: the next call assumes a new one. */
    synchronized void discard() {
        if (current != null) {
            LOG.infof("AWS refused the session of tenant %s; its next call assumes a new one", tenant);
            current = null;
        }
    }

    /** Keeps what an AssumeRole issued; a failed one leaves the current session, logged once. */
    private synchronized void settle(CompletableFuture<Issued> finished, Issued issued, Throwable failure) {
        if (renewal == finished) {
            renewal = null;
        }
        if (issued != null) {
            current = issued;
            return;
        }
        pausedUntil = clock.get().plus(RENEWAL_PAUSE);
        if (current != null && clock.get().isBefore(current.usableUntil())) {
            LOG.warnf("Renewing the AWS session of tenant %s failed (%s); its current session is used until it expires,"
                    + " the next renewal in %d s", tenant, AwsCalls.classify(failure).getMessage(), RENEWAL_PAUSE.toSeconds());
        }
    }
}
