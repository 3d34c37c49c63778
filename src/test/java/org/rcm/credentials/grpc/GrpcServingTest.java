package org.rcm.credentials.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.support.TestGrpc;
import org.rcm.credentials.support.TestIdentity;

/** The server side of the contract: reflection, health, and the normal handler path. */
@QuarkusTest
class GrpcServingTest {

    @Test
    void reflectionListsBothServicesAndHealth() throws Exception {
        List<String> services = listServices(TestIdentity.TENANT_A_ADMIN).get(10, TimeUnit.SECONDS)
                .getListServicesResponse().getServiceList().stream()
                .map(ServiceResponse::getName)
                .toList();

        assertThat(services).contains(
                "rcm.credentials.v1.CredentialService",
                "rcm.credentials.v1.CredentialAdminService",
                "grpc.health.v1.Health");
    }

    @Test
    void reflectionNeedsACertificateMappedToATenant() {
        CompletableFuture<ServerReflectionResponse> response = listServices(TestIdentity.NO_SAN);

        ExecutionException e = assertThrows(ExecutionException.class, () -> response.get(10, TimeUnit.SECONDS));
        assertEquals(Status.Code.UNAUTHENTICATED, Status.fromThrowable(e.getCause()).getCode());
    }

    /** A reflection {@code list_services} request as {@code identity}. */
    private static CompletableFuture<ServerReflectionResponse> listServices(TestIdentity identity) {
        CompletableFuture<ServerReflectionResponse> response = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc
                .newStub(TestGrpc.channel(identity))
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                        response.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        response.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.onCompleted();
        return response;
    }

    @Test
    void healthCheckAnswersServing() {
        HealthCheckResponse response = HealthGrpc.newBlockingStub(TestGrpc.channel(TestIdentity.TENANT_A_WORKER))
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance());

        assertEquals(HealthCheckResponse.ServingStatus.SERVING, response.getStatus());
    }

    @Test
    void anRpcThisServerDoesNotHaveAnswersUnimplemented() {
        MethodDescriptor<byte[], byte[]> unknown = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName("rcm.credentials.v1.CredentialAdminService/NoSuchRpc")
                .setRequestMarshaller(RAW)
                .setResponseMarshaller(RAW)
                .build();

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
                TestGrpc.channel(TestIdentity.TENANT_A_ADMIN), unknown, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                new byte[0]));

        assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
    }

    /** Bytes as they are, for calling a method no stub knows. */
    private static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
        @Override
        public java.io.InputStream stream(byte[] value) {
            return new java.io.ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(java.io.InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    };
}
