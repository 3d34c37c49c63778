package org.rcm.credentials.grpc;

import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import org.rcm.credentials.api.v1.CredentialAdminService;
import org.rcm.credentials.api.v1.GetRotationScheduleRequest;
import org.rcm.credentials.api.v1.GetRotationScheduleResponse;
import org.rcm.credentials.api.v1.ListDueRotationsRequest;
import org.rcm.credentials.api.v1.ListDueRotationsResponse;
import org.rcm.credentials.api.v1.ListRevokedCertificatesRequest;
import org.rcm.credentials.api.v1.ListRevokedCertificatesResponse;
import org.rcm.credentials.api.v1.MigrateLegacyCredentialsRequest;
import org.rcm.credentials.api.v1.MigrateLegacyCredentialsResponse;
import org.rcm.credentials.api.v1.PurgeLegacyCredentialsRequest;
import org.rcm.credentials.api.v1.PurgeLegacyCredentialsResponse;
import org.rcm.credentials.api.v1.QueryAccessLogRequest;
import org.rcm.credentials.api.v1.QueryAccessLogResponse;
import org.rcm.credentials.api.v1.RegisterEndpointRequest;
import org.rcm.credentials.api.v1.RegisterEndpointResponse;
import org.rcm.credentials.api.v1.ResumeCredentialsRequest;
import org.rcm.credentials.api.v1.ResumeCredentialsResponse;
import org.rcm.credentials.api.v1.RevokeClientCertificateRequest;
import org.rcm.credentials.api.v1.RevokeClientCertificateResponse;
import org.rcm.credentials.api.v1.SetRotationScheduleRequest;
import org.rcm.credentials.api.v1.SetRotationScheduleResponse;
import org.rcm.credentials.api.v1.VerifyAuditLogRequest;
import org.rcm.credentials.api.v1.VerifyAuditLogResponse;
import org.rcm.credentials.audit.AccessLogQuery;
import org.rcm.credentials.audit.AuditVerification;
import org.rcm.credentials.credential.CredentialWriter;
import org.rcm.credentials.credential.LoginReports;
import org.rcm.credentials.grpc.CallerInterceptor;
import org.rcm.credentials.legacy.LegacyMigration;
import org.rcm.credentials.rotation.Schedules;
import org.rcm.credentials.tenant.RevocationList;

/** {@code rcm.credentials.v1.CredentialAdminService}: maps requests, delegates, maps responses. */
@GrpcService
public class CredentialAdminGrpcService implements CredentialAdminService {

    private final CredentialWriter credentials;
    private final Schedules schedules;
    private final AccessLogQuery accessLog;
    private final LoginReports logins;
    private final LegacyMigration legacy;
    private final RevocationList revocations;
    private final AuditVerification verification;

    public CredentialAdminGrpcService(CredentialWriter credentials, LegacyMigration legacy, RevocationList revocations,
            Schedules schedules, AccessLogQuery accessLog, LoginReports logins, AuditVerification verification) {
        this.verification = verification;
        this.logins = logins;
        this.schedules = schedules;
        this.accessLog = accessLog;
        this.credentials = credentials;
        this.legacy = legacy;
        this.revocations = revocations;
    }

    @Override
    public Uni<RevokeClientCertificateResponse> revokeClientCertificate(RevokeClientCertificateRequest request) {
        var caller = CallerInterceptor.current();
        return Uni.createFrom().deferred(() -> revocations.revoke(caller.tenant(), request.getFingerprintSha256(),
                        request.getSerialNumber(), request.getIssuer(), request.getReason(), caller.principal()))
                .map(ProtoMapper::revokeResponse);
    }

    @Override
    public Uni<ResumeCredentialsResponse> resumeCredentials(ResumeCredentialsRequest request) {
        var caller = CallerInterceptor.current();
        return Uni.createFrom().deferred(() -> logins.resume(caller, request.getPortalId()))
                .map(status -> ResumeCredentialsResponse.newBuilder().setRotationStatus(ProtoMapper.rotationStatus(status))
                        .build());
    }

    @Override
    public Uni<ListRevokedCertificatesResponse> listRevokedCertificates(ListRevokedCertificatesRequest request) {
        var caller = CallerInterceptor.current();
        return revocations.list(caller.tenant())
                .map(ProtoMapper::revokedList);
    }

    @Override
    public Uni<RegisterEndpointResponse> registerEndpoint(RegisterEndpointRequest request) {
        var caller = CallerInterceptor.current();
        return Uni.createFrom().item(() -> ProtoMapper.register(request))
                .chain(register -> credentials.register(caller, register))
                .map(created -> RegisterEndpointResponse.newBuilder().setCreated(created).build());
    }

    @Override
    public Uni<SetRotationScheduleResponse> setRotationSchedule(SetRotationScheduleRequest request) {
        var caller = CallerInterceptor.current();
        return Uni.createFrom().deferred(() -> schedules.set(caller, request.getPortalId(), request.getRotationIntervalDays(),
                        request.getAutoRotate(), request.getNotificationEmailsList(), request.getRotateNow()))
                .map(next -> SetRotationScheduleResponse.newBuilder().setNextRotationAt(ProtoMapper.timestamp(next)).build());
    }

    @Override
    public Uni<GetRotationScheduleResponse> getRotationSchedule(GetRotationScheduleRequest request) {
        var caller = CallerInterceptor.current();
        return Uni.createFrom().deferred(() -> schedules.get(caller, request.getPortalId()))
                .map(RotationMapper::schedule);
    }

    @Override
    public Uni<ListDueRotationsResponse> listDueRotations(ListDueRotationsRequest request) {
        var caller = CallerInterceptor.current();
        return Uni.createFrom().deferred(() -> schedules.due(caller,
                        RotationMapper.instant("due_before", request.hasDueBefore(), request.getDueBefore()),
                        request.getPageSize(), request.getPageToken()))
                .map(RotationMapper::due);
    }

    @Override
    public Uni<QueryAccessLogResponse> queryAccessLog(QueryAccessLogRequest request) {
        var caller = CallerInterceptor.current();
        return Uni.createFrom().deferred(() -> accessLog.page(caller.tenant(), AuditMapper.query(request)))
                .map(AuditMapper::page);
    }

    @Override
    public Uni<VerifyAuditLogResponse> verifyAuditLog(VerifyAuditLogRequest request) {
        var caller = CallerInterceptor.current();
        return Uni.createFrom().deferred(() -> verification.verify(caller.tenant(),
                        RotationMapper.instant("since", request.hasSince(), request.getSince()),
                        RotationMapper.instant("until", request.hasUntil(), request.getUntil())))
                .map(AuditMapper::verification);
    }

    @Override
    public Uni<MigrateLegacyCredentialsResponse> migrateLegacyCredentials(MigrateLegacyCredentialsRequest request) {
        var caller = CallerInterceptor.current();
        return Uni.createFrom().item(() -> ProtoMapper.migrate(request))
                .chain(migrate -> legacy.migrate(caller, migrate))
                .map(ProtoMapper::migrateResponse);
    }

    @Override
    public Uni<PurgeLegacyCredentialsResponse> purgeLegacyCredentials(PurgeLegacyCredentialsRequest request) {
        var caller = CallerInterceptor.current();
        return Uni.createFrom().item(() -> ProtoMapper.purge(request))
                .chain(purge -> legacy.purge(caller, purge))
                .map(ProtoMapper::purgeResponse);
    }
}
