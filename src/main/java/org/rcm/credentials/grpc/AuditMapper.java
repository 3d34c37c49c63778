package org.rcm.credentials.grpc;

import java.util.Map;
import org.rcm.credentials.api.v1.AccessLogEntry;
import org.rcm.credentials.api.v1.AccessType;
import org.rcm.credentials.api.v1.QueryAccessLogRequest;
import org.rcm.credentials.api.v1.QueryAccessLogResponse;
import org.rcm.credentials.audit.AccessLogQuery;
import org.rcm.credentials.secretstore.SecretNames;

/** Maps QueryAccessLog to and from the access log's query. */
final class AuditMapper {

    /** {@code credential_access_log.access_type} to the API's enum. */
    private static final Map<String, AccessType> ACCESS_TYPES = Map.of(
            "retrieve", AccessType.ACCESS_TYPE_RETRIEVE,
            "store", AccessType.ACCESS_TYPE_STORE,
            "rotate", AccessType.ACCESS_TYPE_ROTATE,
            "delete", AccessType.ACCESS_TYPE_DELETE,
            "register", AccessType.ACCESS_TYPE_REGISTER,
            "admin", AccessType.ACCESS_TYPE_ADMIN,
            "migrate", AccessType.ACCESS_TYPE_MIGRATE,
            "revoke", AccessType.ACCESS_TYPE_REVOKE,
            "schedule", AccessType.ACCESS_TYPE_SCHEDULE,
            "totp", AccessType.ACCESS_TYPE_TOTP);

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
                    .setAccessType(ACCESS_TYPES.getOrDefault(entry.accessType(), AccessType.ACCESS_TYPE_UNSPECIFIED))
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

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
