package org.rcm.credentials.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.CredentialAdminServiceGrpc;
import org.rcm.credentials.api.v1.CredentialServiceGrpc;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.api.v1.QueryAccessLogRequest;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.Metrics;
import org.rcm.credentials.support.TestGrpc;
import org.rcm.credentials.support.TestIdentity;

/**
 * Refusals where no tenant is known are counted ({@code rcm.access.unauthenticated}) on every
 * broker RPC, and a worker refused an administrative RPC that names no portal gets its row.
 */
@QuarkusTest
class RefusalCountingTest {

    @Inject
    MeterRegistry registry;

    @Test
    void callsWithAnUnmappedCertificateAreCountedOnEveryRpc() throws InterruptedException {
        double before = unauthenticated();
        ManagedChannel channel = TestGrpc.newChannel(TestIdentity.NO_SAN, TestGrpc.port(), "refusals/1.0");
        try {
            assertEquals(Status.Code.UNAUTHENTICATED, codeOf(() -> CredentialServiceGrpc.newBlockingStub(channel)
                    .getCredentials(GetCredentialsRequest.newBuilder().setPortalId("p-" + UUID.randomUUID()).build())));
            assertEquals(Status.Code.UNAUTHENTICATED, codeOf(() -> CredentialAdminServiceGrpc.newBlockingStub(channel)
                    .queryAccessLog(QueryAccessLogRequest.getDefaultInstance())));
        } finally {
            TestGrpc.shutdown(channel);
        }
        assertEquals(before + 2, unauthenticated());
    }

    @Test
    void aWorkerRefusedAnAdministrativeRpcIsAudited() throws InterruptedException {
        ManagedChannel channel = TestGrpc.newChannel(TestIdentity.TENANT_A_WORKER, TestGrpc.port(), "refusals/1.0");
        int before = AuditLog.rows("tenant-a", null).size();
        try {
            assertEquals(Status.Code.PERMISSION_DENIED, codeOf(() -> CredentialAdminServiceGrpc.newBlockingStub(channel)
                    .queryAccessLog(QueryAccessLogRequest.getDefaultInstance())));
        } finally {
            TestGrpc.shutdown(channel);
        }
        var rows = AuditLog.rows("tenant-a", null);
        assertThat(rows).hasSize(before + 1);
        AuditLog.Row row = rows.get(rows.size() - 1);
        assertEquals("admin", row.accessType());
        assertThat(row.success()).isFalse();
        assertThat(row.errorMessage()).startsWith("PERMISSION_DENIED");
    }

    private double unauthenticated() {
        return Metrics.count(registry, "rcm.access.unauthenticated");
    }

    private static Status.Code codeOf(Runnable call) {
        try {
            call.run();
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }
}
