package org.rcm.credentials.tenant;

import io.grpc.Context;
import io.grpc.Contexts;
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
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;
import java.util.Set;
import org.rcm.credentials.audit.CallAudit;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.grpc.GrpcExceptionMapper;

/**
 * Authenticates and authorises every broker RPC before its handler runs: the caller's
 * certificate must map to a tenant (else UNAUTHENTICATED) whose role may call the method
 * (else PERMISSION_DENIED). Handlers then read the {@link Caller} with {@link #current()}.
 * It runs inside the {@code AuditInterceptor}, to which it reports the caller, so that
 * refused calls are audited too.
 */
@GlobalInterceptor
@ApplicationScoped
public class CallerInterceptor implements ServerInterceptor {

    private static final Context.Key<Caller> CALLER = Context.key("rcm.caller");
    private static final Metadata.Key<String> USER_AGENT = Metadata.Key.of("user-agent", Metadata.ASCII_STRING_MARSHALLER);

    private final CurrentIdentityAssociation identities;

    public CallerInterceptor(CurrentIdentityAssociation identities) {
        this.identities = identities;
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
        Optional<Set<Role>> allowed = AccessPolicy.rolesFor(call.getMethodDescriptor().getFullMethodName());
        if (allowed.isEmpty()) {
            return next.startCall(call, headers);
        }
        TenantIdentity tenant = tenantOf(identities.getIdentity());
        if (tenant == null) {
            return reject(call, BrokerException.unauthenticated("UNMAPPED_CERTIFICATE",
                    "the client certificate is not mapped to a tenant"));
        }
        CallAudit audit = CallAudit.current();
        Caller caller = new Caller(tenant, ipAddress(call), headers.get(USER_AGENT), audit);
        audit.caller(caller);
        if (!allowed.get().contains(tenant.role())) {
            return reject(call, BrokerException.permissionDenied("ROLE_NOT_ALLOWED",
                    "the " + tenant.role().id() + " role may not call this method"));
        }
        return Contexts.interceptCall(Context.current().withValue(CALLER, caller), call, headers, next);
    }

    private static TenantIdentity tenantOf(SecurityIdentity identity) {
        return identity == null || identity.isAnonymous() ? null : identity.getAttribute(TenantIdentityAugmentor.TENANT_ATTRIBUTE);
    }

    private static String ipAddress(ServerCall<?, ?> call) {
        SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        return remote instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : null;
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
