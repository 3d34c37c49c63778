package org.rcm.credentials.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GlobalInterceptor;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.jboss.logging.Logger;
import org.rcm.credentials.audit.CallAudit;
import org.rcm.credentials.config.BrokerConfig;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.metrics.BrokerMetrics;
import org.rcm.credentials.reactive.VertxContexts;
import org.rcm.credentials.tenant.Caller;
import org.rcm.credentials.tenant.NetworkPolicy;
import org.rcm.credentials.tenant.TenantIdentity;
import org.rcm.credentials.tenant.TenantIdentityAugmentor;
import org.rcm.credentials.tenant.UnmappedCertificates;

/**
 * Authenticates and authorises every broker RPC before its handler runs: the caller's
 * certificate must map to a tenant (else UNAUTHENTICATED), the call must come from the
 * tenant's allowed address ranges when it has any (else PERMISSION_DENIED, or served and
 * flagged, by the tenant's policy), and its role must be allowed to call the method (else
 * PERMISSION_DENIED). Handlers then read the {@link Caller} with {@link #current()}.
 * It runs inside the {@code AuditInterceptor}, to which it reports the caller, so that
 * refused calls are audited too.
 */
@GlobalInterceptor
@ApplicationScoped
public class CallerInterceptor implements ServerInterceptor {

    private static final Context.Key<Caller> CALLER = Context.key("rcm.caller");
    private static final Context.Key<Deadline> DEADLINE = Context.key("rcm.deadline");
    private static final Metadata.Key<String> GRPC_TIMEOUT = Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> USER_AGENT = Metadata.Key.of("user-agent", Metadata.ASCII_STRING_MARSHALLER);

    private static final Logger LOG = Logger.getLogger(CallerInterceptor.class);

    private final CurrentIdentityAssociation identities;
    private final NetworkPolicy network;
    private final BrokerMetrics metrics;
    private final UnmappedCertificates unmapped;
    private final boolean reflection;

    public CallerInterceptor(CurrentIdentityAssociation identities, NetworkPolicy network, BrokerMetrics metrics,
            UnmappedCertificates unmapped, BrokerConfig config) {
        this.unmapped = unmapped;
        this.identities = identities;
        this.network = network;
        this.metrics = metrics;
        this.reflection = config.grpc().reflection();
    }

    /**
     * The caller of the RPC being handled. Read it in the handler method's body, before any
     * asynchronous step.
     */
    public static Caller current() {
        Caller caller = CALLER.get();
        if (caller == null) {
            throw new IllegalStateException("no caller: not inside an authorised broker RPC");
        }
        return caller;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        AccessPolicy.Access access = AccessPolicy.accessFor(call.getMethodDescriptor().getFullMethodName(), reflection);
        switch (access.requirement()) {
            case TRUSTED_CERTIFICATE -> {
                return next.startCall(call, headers);
            }
            case REFUSED -> {
                return reject(call, BrokerException.unimplemented(call.getMethodDescriptor().getServiceName()));
            }
            default -> {
            }
        }
        TenantIdentity tenant = tenantOf(identities.getIdentity());
        if (tenant == null) {
            InetAddress from = remoteAddress(call);
            unmapped.refused(from == null ? null : from.getHostAddress(), peerCertificate(call));
            return reject(call, BrokerException.unauthenticated("UNMAPPED_CERTIFICATE",
                    "the client certificate is not mapped to a tenant"));
        }
        if (access.requirement() == AccessPolicy.Requirement.MAPPED_CERTIFICATE) {
            return next.startCall(call, headers);
        }
        CallAudit audit = CallAudit.current();
        InetAddress address = remoteAddress(call);
        Caller caller = new Caller(tenant, address == null ? null : address.getHostAddress(), headers.get(USER_AGENT), audit);
        audit.caller(new CallAudit.Who(tenant.tenant(), tenant.principal(), caller.ipAddress(), caller.userAgent()));
        NetworkPolicy.Verdict verdict = network.check(tenant.tenant(), address);
        if (verdict != NetworkPolicy.Verdict.EXPECTED) {
            audit.unexpectedIp();
            metrics.unexpectedIp(verdict == NetworkPolicy.Verdict.DENY ? "deny" : "flag");
            LOG.warnf("Call from %s, outside the allowed ranges of tenant %s (%s)", caller.ipAddress(), tenant.tenant(), verdict);
        }
        if (verdict == NetworkPolicy.Verdict.DENY) {
            return reject(call, BrokerException.permissionDenied("ADDRESS_NOT_ALLOWED",
                    "calls from this address are not allowed for the tenant"));
        }
        if (!access.roles().contains(tenant.role())) {
            return reject(call, BrokerException.permissionDenied("ROLE_NOT_ALLOWED",
                    "the " + tenant.role().id() + " role may not call this method"));
        }
        VertxContexts.actFor(tenant.tenant()); // AWS calls of this call are signed as its tenant (TenantSessions)
        return Contexts.interceptCall(Context.current().withValue(CALLER, caller).withValue(DEADLINE, deadline(headers)),
                call, headers, next);
    }

    /**
     * The time the caller left for the call, from the context or else from its
     * {@code grpc-timeout} header (served on the Vert.x HTTP server, the context has none);
     * null when it set none. Read it in the handler method's body, before any asynchronous step.
     */
    public static Duration timeLeft() {
        Deadline deadline = Context.current().getDeadline();
        if (deadline == null) {
            deadline = DEADLINE.get();
        }
        return deadline == null ? null : Duration.ofNanos(Math.max(0, deadline.timeRemaining(TimeUnit.NANOSECONDS)));
    }

    /** The {@code grpc-timeout} header as a deadline from now: digits and a unit (H, M, S, m, u, n). */
    private static Deadline deadline(Metadata headers) {
        String timeout = headers.get(GRPC_TIMEOUT);
        if (timeout == null || timeout.length() < 2 || timeout.length() > 9) {
            return null;
        }
        try {
            long amount = Long.parseLong(timeout.substring(0, timeout.length() - 1));
            TimeUnit unit = switch (timeout.charAt(timeout.length() - 1)) {
                case 'H' -> TimeUnit.HOURS;
                case 'M' -> TimeUnit.MINUTES;
                case 'S' -> TimeUnit.SECONDS;
                case 'm' -> TimeUnit.MILLISECONDS;
                case 'u' -> TimeUnit.MICROSECONDS;
                case 'n' -> TimeUnit.NANOSECONDS;
                default -> null;
            };
            return unit == null ? null : Deadline.after(amount, unit);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static TenantIdentity tenantOf(SecurityIdentity identity) {
        return identity == null || identity.isAnonymous() ? null : identity.getAttribute(TenantIdentityAugmentor.TENANT_ATTRIBUTE);
    }

    private static X509Certificate peerCertificate(ServerCall<?, ?> call) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        try {
            return session != null && session.getPeerCertificates().length > 0
                    && session.getPeerCertificates()[0] instanceof X509Certificate certificate ? certificate : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    private static InetAddress remoteAddress(ServerCall<?, ?> call) {
        SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    /**
     * Refuses the call once its request has arrived (so that the audit row can name the
     * portal), without passing it to the handler.
     */
    private static <ReqT, RespT> ServerCall.Listener<ReqT> reject(ServerCall<ReqT, RespT> call, BrokerException failure) {
        // Two, like grpc-java's unary handler: the end of the stream is delivered only with demand left.
        call.request(2);
        return new ServerCall.Listener<>() {
            private boolean closed;

            @Override
            public void onHalfClose() {
                close();
            }

            @Override
            public void onCancel() {
                closed = true;
            }

            private void close() {
                if (!closed) {
                    closed = true;
                    StatusRuntimeException status = GrpcExceptionMapper.toStatusRuntimeException(failure);
                    call.close(status.getStatus(), status.getTrailers() == null ? new Metadata() : status.getTrailers());
                }
            }
        };
    }
}
