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
import org.rcm.credentials.error.BrokerException;

/** {@code rcm.credentials.v1.CredentialService}: maps requests, delegates, maps responses. */
@GrpcService
public class CredentialGrpcService implements CredentialService {

    @Override
    public Uni<StoreCredentialsResponse> storeCredentials(StoreCredentialsRequest request) {
        return unimplemented("StoreCredentials");
    }

    @Override
    public Uni<GetCredentialsResponse> getCredentials(GetCredentialsRequest request) {
        return unimplemented("GetCredentials");
    }

    @Override
    public Uni<RotateCredentialsResponse> rotateCredentials(RotateCredentialsRequest request) {
        return unimplemented("RotateCredentials");
    }

    @Override
    public Uni<DeleteCredentialsResponse> deleteCredentials(DeleteCredentialsRequest request) {
        return unimplemented("DeleteCredentials");
    }

    @Override
    public Uni<GenerateTotpResponse> generateTotp(GenerateTotpRequest request) {
        return unimplemented("GenerateTotp");
    }

    static <T> Uni<T> unimplemented(String rpc) {
        return Uni.createFrom().failure(BrokerException.unimplemented(rpc));
    }
}
