package org.rcm.credentials.grpc;

import static org.rcm.credentials.grpc.CredentialGrpcService.unimplemented;

import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import org.rcm.credentials.api.v1.CredentialAdminService;
import org.rcm.credentials.api.v1.GetRotationScheduleRequest;
import org.rcm.credentials.api.v1.GetRotationScheduleResponse;
import org.rcm.credentials.api.v1.ListDueRotationsRequest;
import org.rcm.credentials.api.v1.ListDueRotationsResponse;
import org.rcm.credentials.api.v1.MigrateLegacyCredentialsRequest;
import org.rcm.credentials.api.v1.MigrateLegacyCredentialsResponse;
import org.rcm.credentials.api.v1.PurgeLegacyCredentialsRequest;
import org.rcm.credentials.api.v1.PurgeLegacyCredentialsResponse;
import org.rcm.credentials.api.v1.QueryAccessLogRequest;
import org.rcm.credentials.api.v1.QueryAccessLogResponse;
import org.rcm.credentials.api.v1.RegisterEndpointRequest;
import org.rcm.credentials.api.v1.RegisterEndpointResponse;
import org.rcm.credentials.api.v1.SetRotationScheduleRequest;
import org.rcm.credentials.api.v1.SetRotationScheduleResponse;

/** {@code rcm.credentials.v1.CredentialAdminService}: maps requests, delegates, maps responses. */
@GrpcService
public class CredentialAdminGrpcService implements CredentialAdminService {

    @Override
    public Uni<RegisterEndpointResponse> registerEndpoint(RegisterEndpointRequest request) {
        return unimplemented("RegisterEndpoint");
    }

    @Override
    public Uni<SetRotationScheduleResponse> setRotationSchedule(SetRotationScheduleRequest request) {
        return unimplemented("SetRotationSchedule");
    }

    @Override
    public Uni<GetRotationScheduleResponse> getRotationSchedule(GetRotationScheduleRequest request) {
        return unimplemented("GetRotationSchedule");
    }

    @Override
    public Uni<ListDueRotationsResponse> listDueRotations(ListDueRotationsRequest request) {
        return unimplemented("ListDueRotations");
    }

    @Override
    public Uni<QueryAccessLogResponse> queryAccessLog(QueryAccessLogRequest request) {
        return unimplemented("QueryAccessLog");
    }

    @Override
    public Uni<MigrateLegacyCredentialsResponse> migrateLegacyCredentials(MigrateLegacyCredentialsRequest request) {
        return unimplemented("MigrateLegacyCredentials");
    }

    @Override
    public Uni<PurgeLegacyCredentialsResponse> purgeLegacyCredentials(PurgeLegacyCredentialsRequest request) {
        return unimplemented("PurgeLegacyCredentials");
    }
}
