package org.rcm.credentials.grpc;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Prioritized;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.rcm.credentials.api.v1.CredentialAdminServiceGrpc;
import org.rcm.credentials.api.v1.CredentialServiceGrpc;
import org.rcm.credentials.audit.AccessType;
import org.rcm.credentials.audit.AuditEvent;
import org.rcm.credentials.audit.AuditWriter;
import org.rcm.credentials.audit.CallAudit;
import org.rcm.credentials.audit.FailureBursts;
import org.rcm.credentials.metrics.BrokerMetrics;

/**
 * Writes one access-log row for every call of the broker's two services, whatever ends it:
 * success, a domain error, invalid input, a denied role or address. It runs outside the identity
 * interceptor and the handler and sees the call's final status, so every path is covered by
 * one mechanism.
 *
 * <p>Fail-closed at the transport boundary: the answer (its headers and message) is held back
 * until the row has committed, and then goes out with the status in one write. If the row
 * cannot be written, the call ends UNAVAILABLE and the held answer (a credential, perhaps) is
 * dropped, headers too: the caller gets a status alone. A call whose certificate maps to no
 * tenant has no row; it is counted instead.
 */
@GlobalInterceptor
@ApplicationScoped
public class AuditInterceptor implements ServerInterceptor, Prioritized {

    /** Runs before (outside) the identity interceptor, whose rejections it must audit. */
    public static final int PRIORITY = 20;

    /** The access type of each RPC; every call of both services is audited (an RPC added later: ADMIN). */
    private static final Map<String, AccessType> AUDITED = Map.ofEntries(
            Map.entry(CredentialServiceGrpc.getGetCredentialsMethod().getFullMethodName(), AccessType.RETRIEVE),
            Map.entry(CredentialServiceGrpc.getGenerateTotpMethod().getFullMethodName(), AccessType.TOTP),
            Map.entry(CredentialServiceGrpc.getStoreCredentialsMethod().getFullMethodName(), AccessType.STORE),
            Map.entry(CredentialServiceGrpc.getRotateCredentialsMethod().getFullMethodName(), AccessType.ROTATE),
            Map.entry(CredentialServiceGrpc.getDeleteCredentialsMethod().getFullMethodName(), AccessType.DELETE),
            Map.entry(CredentialAdminServiceGrpc.getRegisterEndpointMethod().getFullMethodName(), AccessType.REGISTER),
            Map.entry(CredentialAdminServiceGrpc.getMigrateLegacyCredentialsMethod().getFullMethodName(), AccessType.MIGRATE),
            Map.entry(CredentialAdminServiceGrpc.getPurgeLegacyCredentialsMethod().getFullMethodName(), AccessType.MIGRATE),
            Map.entry(CredentialAdminServiceGrpc.getRevokeClientCertificateMethod().getFullMethodName(), AccessType.REVOKE),
            Map.entry(CredentialServiceGrpc.getBeginRotationMethod().getFullMethodName(), AccessType.ROTATE),
            Map.entry(CredentialServiceGrpc.getCompleteRotationMethod().getFullMethodName(), AccessType.ROTATE),
            Map.entry(CredentialAdminServiceGrpc.getSetRotationScheduleMethod().getFullMethodName(), AccessType.SCHEDULE),
            Map.entry(CredentialAdminServiceGrpc.getGetRotationScheduleMethod().getFullMethodName(), AccessType.SCHEDULE),
            Map.entry(CredentialAdminServiceGrpc.getListDueRotationsMethod().getFullMethodName(), AccessType.SCHEDULE),
            Map.entry(CredentialAdminServiceGrpc.getQueryAccessLogMethod().getFullMethodName(), AccessType.ADMIN),
            Map.entry(CredentialAdminServiceGrpc.getVerifyAuditLogMethod().getFullMethodName(), AccessType.ADMIN),
            Map.entry(CredentialServiceGrpc.getReportLoginOutcomeMethod().getFullMethodName(), AccessType.LOGIN_OUTCOME),
            Map.entry(CredentialAdminServiceGrpc.getResumeCredentialsMethod().getFullMethodName(), AccessType.LOGIN_OUTCOME),
            Map.entry(CredentialAdminServiceGrpc.getListRevokedCertificatesMethod().getFullMethodName(), AccessType.ADMIN));

    private static final Set<String> SERVICES = Set.of(
            CredentialServiceGrpc.SERVICE_NAME, CredentialAdminServiceGrpc.SERVICE_NAME);

    private final AuditWriter writer;
    private final FailureBursts bursts;
    private final BrokerMetrics metrics;

    public AuditInterceptor(AuditWriter writer, FailureBursts bursts, BrokerMetrics metrics) {
        this.writer = writer;
        this.bursts = bursts;
        this.metrics = metrics;
        for (AccessType type : AccessType.values()) {
            metrics.declareAccessType(type.dbValue());
        }
    }

    @Override
    public int getPriority() {
        return PRIORITY;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        MethodDescriptor<ReqT, RespT> method = call.getMethodDescriptor();
        if (!SERVICES.contains(method.getServiceName())) {
            return next.startCall(call, headers);
        }
        AccessType type = AUDITED.get(method.getFullMethodName());
        CallAudit audit = new CallAudit(type == null ? AccessType.ADMIN : type);
        Context context = Context.current().withValue(CallAudit.KEY, audit);
        CallLog log = new CallLog(method.getFullMethodName(), headers);
        ServerCall.Listener<ReqT> listener = Contexts.interceptCall(context, new AuditedCall<>(call, audit, log), headers,
                next);
        return new SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onMessage(ReqT message) {
                audit.portalId(portalIdOf(message));
                super.onMessage(message);
            }
        };
    }

    /** Holds the answer back until the call's audit row is durable. */
    private final class AuditedCall<ReqT, RespT> extends SimpleForwardingServerCall<ReqT, RespT> {
        private final CallAudit audit;
        private final CallLog log;
        private Metadata responseHeaders;
        private RespT response;

        AuditedCall(ServerCall<ReqT, RespT> call, CallAudit audit, CallLog log) {
            super(call);
            this.audit = audit;
            this.log = log;
        }

        @Override
        public void sendHeaders(Metadata headers) {
            responseHeaders = headers;
        }

        @Override
        public void sendMessage(RespT message) {
            response = message;
        }

        @Override
        public void close(Status status, Metadata trailers) {
            CallAudit.Who caller = audit.caller();
            if (caller == null) {
                metrics.accessWithoutTenant(audit.accessType().dbValue());
                finish(status, trailers);
                return;
            }
            String failure = failureOf(status, audit);
            metrics.access(audit.accessType().dbValue(), failure == null);
            AuditEvent event = new AuditEvent(caller.tenant(), audit.portalId(), audit.secretArn(), audit.accessType(),
                    caller.principal(), caller.ipAddress(), caller.userAgent(), failure == null, failure,
                    audit.isUnexpectedIp(), Instant.now());
            if (FailureBursts.counts(event)) {
                // the count's answer comes back on this call's context, as AuditWriter#record asks
                bursts.flag(event).subscribe().with(flagged -> record(flagged, status, trailers));
            } else {
                record(event, status, trailers);
            }
        }

        private void record(AuditEvent event, Status status, Metadata trailers) {
            writer.record(event,
                    // called on this call's Vert.x context (AuditWriter#record's contract)
                    auditFailure -> {
                        if (auditFailure == null) {
                            finish(status, trailers);
                        } else {
                            failClosed(status, trailers, auditFailure);
                        }
                    });
        }

        private void failClosed(Status status, Metadata trailers, Throwable auditFailure) {
            if (!status.isOk()) {
                finish(status, trailers);
                return;
            }
            responseHeaders = null;
            response = null;
            StatusRuntimeException unavailable = GrpcExceptionMapper.toStatusRuntimeException(auditFailure);
            Metadata unavailableTrailers = unavailable.getTrailers();
            log.ended(tenant(), unavailable.getStatus());
            super.close(unavailable.getStatus(), unavailableTrailers == null ? new Metadata() : unavailableTrailers);
        }

        private void finish(Status status, Metadata trailers) {
            if (responseHeaders != null) {
                super.sendHeaders(responseHeaders);
            }
            if (response != null && status.isOk()) {
                super.sendMessage(response);
            }
            log.ended(tenant(), status);
            super.close(status, trailers);
        }

        private String tenant() {
            CallAudit.Who caller = audit.caller();
            return caller == null ? null : caller.tenant();
        }
    }

    /** The caller-facing reason a call failed (its status, or the failure its answer reports), or null. */
    private static String failureOf(Status status, CallAudit audit) {
        if (!status.isOk()) {
            String description = status.getDescription();
            return status.getCode() + (description == null ? "" : ": " + description);
        }
        return audit.failure();
    }

    private static String portalIdOf(Object message) {
        if (message instanceof Message proto) {
            FieldDescriptor field = proto.getDescriptorForType().findFieldByName("portal_id");
            if (field != null && field.getType() == FieldDescriptor.Type.STRING) {
                String portal = (String) proto.getField(field);
                return portal.isEmpty() ? null : portal;
            }
        }
        return null;
    }
}
