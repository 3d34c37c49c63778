package org.rcm.credentials.grpc;

import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import org.rcm.credentials.api.v1.CredentialService;
import org.rcm.credentials.api.v1.DeleteCredentialsRequest;
import org.rcm.credentials.api.v1.DeleteCredentialsResponse;
import org.rcm.credentials.api.v1.GenerateTotpRequest;
import org.rcm.credentials.api.v1.GenerateTotpResponse;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.api.v1.GetCredentialsResponse;
import org.rcm.credentials.api.v1.RotateCredentialsRequest;
import org.rcm.credentials.api.v1.RotateCredentialsResponse;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;
import org.rcm.credentials.api.v1.StoreCredentialsResponse;
import org.rcm.credentials.credential.CredentialManager;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.grpc.CallerInterceptor;

/**
 * {@code rcm.credentials.v1.CredentialService}: maps requests, delegates to the
 * {@link CredentialManager}, maps responses. Mapping runs inside the returned Uni, so that
 * invalid input fails the call like any other error (and is audited).
 */
@GrpcService
public class CredentialGrpcService implements CredentialService {

    private final CredentialManager credentials;

    public CredentialGrpcService(CredentialManager credentials) {
        this.credentials = credentials;
    }

    @Override
    public Uni<StoreCredentialsResponse> storeCredentials(StoreCredentialsRequest request) {
        var caller = CallerInterceptor.current();
        return Uni.createFrom().item(() -> ProtoMapper.store(request))
                .chain(store -> credentials.store(caller, store))
                .map(ProtoMapper::storeResponse);
    }

    @Override
    public Uni<GetCredentialsResponse> getCredentials(GetCredentialsRequest request) {
        return credentials.get(CallerInterceptor.current(), request.getPortalId(), request.getIncludeMfaSeed())
                .map(ProtoMapper::getResponse);
    }

    @Override
    public Uni<RotateCredentialsResponse> rotateCredentials(RotateCredentialsRequest request) {
        var caller = CallerInterceptor.current();
        return Uni.createFrom().item(() -> ProtoMapper.rotate(request))
                .chain(rotate -> credentials.rotate(caller, rotate))
                .map(ProtoMapper::rotateResponse);
    }

    @Override
    public Uni<DeleteCredentialsResponse> deleteCredentials(DeleteCredentialsRequest request) {
        return credentials.delete(CallerInterceptor.current(), request.getPortalId())
                .map(deleted -> DeleteCredentialsResponse.newBuilder().setDeleted(deleted).build());
    }

    @Override
    public Uni<GenerateTotpResponse> generateTotp(GenerateTotpRequest request) {
        return credentials.totp(CallerInterceptor.current(), request.getPortalId())
                .map(code -> GenerateTotpResponse.newBuilder()
                        .setCode(code.code())
                        .setValidUntil(ProtoMapper.timestamp(code.validUntil()))
                        .build());
    }

    static <T> Uni<T> unimplemented(String rpc) {
        return Uni.createFrom().failure(BrokerException.unimplemented(rpc));
    }
}
