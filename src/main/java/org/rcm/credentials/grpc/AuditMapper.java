package org.rcm.credentials.grpc;

import java.util.Locale;
import org.rcm.credentials.api.v1.AccessLogEntry;
import org.rcm.credentials.api.v1.AccessType;
import org.rcm.credentials.api.v1.QueryAccessLogRequest;
import org.rcm.credentials.api.v1.QueryAccessLogResponse;
import org.rcm.credentials.api.v1.VerifyAuditLogResponse;
import org.rcm.credentials.audit.AccessLogQuery;
import org.rcm.credentials.audit.AuditVerification;
import org.rcm.credentials.secretstore.SecretNames;

/** Maps QueryAccessLog and VerifyAuditLog to and from the access log's query and verification. */
final class AuditMapper {

    private AuditMapper() {
    }

    static AccessLogQuery.Query query(QueryAccessLogRequest request) {
        String portal = request.getPortalId().isEmpty() ? null : SecretNames.requireId("portal_id", request.getPortalId());
        return new AccessLogQuery.Query(portal,
                RotationMapper.instant("since", request.hasSince(), request.getSince()),
                RotationMapper.instant("until", request.hasUntil(), request.getUntil()),
                request.getPageSize(), request.getPageToken());
    }

    static QueryAccessLogResponse page(AccessLogQuery.Page page) {
        QueryAccessLogResponse.Builder response = QueryAccessLogResponse.newBuilder().setNextPageToken(page.nextPageToken());
        for (AccessLogQuery.Entry entry : page.entries()) {
            response.addEntries(AccessLogEntry.newBuilder()
                    .setPortalId(orEmpty(entry.portalId()))
                    .setAccessType(accessType(entry.accessType()))
                    .setAccessBy(entry.accessBy())
                    .setIpAddress(orEmpty(entry.ipAddress()))
                    .setUserAgent(orEmpty(entry.userAgent()))
                    .setSuccess(entry.success())
                    .setErrorMessage(orEmpty(entry.errorMessage()))
                    .setAccessedAt(ProtoMapper.timestamp(entry.accessedAt()))
                    .setUnexpectedIp(entry.unexpectedIp()));
        }
        return response.build();
    }

    static VerifyAuditLogResponse verification(AuditVerification.Result result) {
        return VerifyAuditLogResponse.newBuilder()
                .setRowsChecked(result.rowsChecked())
                .setIntact(result.intact())
                .setFirstBrokenId(result.firstBrokenId())
                .setFinding(result.finding())
                .setUnchainedRows(result.unchainedRows())
                .setChains(result.chains())
                .build();
    }

    /** {@code credential_access_log.access_type} (say {@code login_outcome}) to the API's enum ({@code ACCESS_TYPE_LOGIN_OUTCOME}). */
    static AccessType accessType(String dbValue) {
        try {
            return AccessType.valueOf("ACCESS_TYPE_" + dbValue.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return AccessType.ACCESS_TYPE_UNSPECIFIED;
        }
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
