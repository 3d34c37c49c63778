package org.rcm.credentials.tenant;

import static io.grpc.Status.Code.FAILED_PRECONDITION;
import static io.grpc.Status.Code.NOT_FOUND;
import static io.grpc.Status.Code.OK;
import static io.grpc.Status.Code.PERMISSION_DENIED;
import static io.grpc.Status.Code.UNAUTHENTICATED;
import static io.grpc.Status.Code.UNAVAILABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Message;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rcm.credentials.api.v1.BeginRotationRequest;
import org.rcm.credentials.api.v1.CompleteRotationRequest;
import org.rcm.credentials.api.v1.CredentialAdminServiceGrpc;
import org.rcm.credentials.api.v1.CredentialAdminServiceGrpc.CredentialAdminServiceBlockingStub;
import org.rcm.credentials.api.v1.CredentialServiceGrpc;
import org.rcm.credentials.api.v1.CredentialServiceGrpc.CredentialServiceBlockingStub;
import org.rcm.credentials.api.v1.DeleteCredentialsRequest;
import org.rcm.credentials.api.v1.GenerateTotpRequest;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.api.v1.GetRotationScheduleRequest;
import org.rcm.credentials.api.v1.ListDueRotationsRequest;
import org.rcm.credentials.api.v1.ListRevokedCertificatesRequest;
import org.rcm.credentials.api.v1.LoginOutcome;
import org.rcm.credentials.api.v1.MigrateLegacyCredentialsRequest;
import org.rcm.credentials.api.v1.PurgeLegacyCredentialsRequest;
import org.rcm.credentials.api.v1.QueryAccessLogRequest;
import org.rcm.credentials.api.v1.RegisterEndpointRequest;
import org.rcm.credentials.api.v1.ReportLoginOutcomeRequest;
import org.rcm.credentials.api.v1.ResumeCredentialsRequest;
import org.rcm.credentials.api.v1.RevokeClientCertificateRequest;
import org.rcm.credentials.api.v1.RotateCredentialsRequest;
import org.rcm.credentials.api.v1.SetRotationScheduleRequest;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;
import org.rcm.credentials.api.v1.VerifyAuditLogRequest;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.Await;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestGrpc;
import org.rcm.credentials.support.TestIdentity;

/**
 * Every RPC of both services, called by every kind of client against a tenant-a portal that
 * has credentials, with the exact status of each cell, the audit row wherever the tenant is
 * known, and no tenant-a data in any answer to someone else.
 */
@QuarkusTest
class TenancyMatrixTest {

    private static final String SECRET = "tenant-a-secret-" + UUID.randomUUID();

    /**
     * One RPC, called on a portal through the two stubs of a channel. Every call has an audit
     * row of {@code accessType}, which names the portal when {@code portalScoped}.
     */
    private record Rpc(String name, String accessType, boolean portalScoped, BiFunction<Stubs, String, Message> call) {

        static Rpc audited(String name, String accessType, BiFunction<Stubs, String, Message> call) {
            return new Rpc(name, accessType, true, call);
        }

        static Rpc auditedTenantWide(String name, String accessType, BiFunction<Stubs, String, Message> call) {
            return new Rpc(name, accessType, false, call);
        }
    }

    private record Stubs(CredentialServiceBlockingStub credentials, CredentialAdminServiceBlockingStub admin) {
    }

    private static final List<Rpc> RPCS = List.of(
            Rpc.audited("GetCredentials", "retrieve", (s, p) -> s.credentials().getCredentials(
                    GetCredentialsRequest.newBuilder().setPortalId(p).build())),
            Rpc.audited("GenerateTotp", "totp", (s, p) -> s.credentials().generateTotp(
                    GenerateTotpRequest.newBuilder().setPortalId(p).build())),
            Rpc.audited("StoreCredentials", "store", (s, p) -> s.credentials().storeCredentials(
                    StoreCredentialsRequest.newBuilder().setPortalId(p).setCredentials(Broker.credentialsWith("new")).build())),
            Rpc.audited("RotateCredentials", "rotate", (s, p) -> s.credentials().rotateCredentials(
                    RotateCredentialsRequest.newBuilder().setPortalId(p).build())),
            Rpc.audited("DeleteCredentials", "delete", (s, p) -> s.credentials().deleteCredentials(
                    DeleteCredentialsRequest.newBuilder().setPortalId(p).build())),
            Rpc.audited("RegisterEndpoint", "register", (s, p) -> s.admin().registerEndpoint(
                    RegisterEndpointRequest.newBuilder().setPortalId(p).setName("n").setPortalType("insurance").build())),
            Rpc.audited("SetRotationSchedule", "schedule", (s, p) -> s.admin().setRotationSchedule(
                    SetRotationScheduleRequest.newBuilder().setPortalId(p).build())),
            Rpc.audited("GetRotationSchedule", "schedule", (s, p) -> s.admin().getRotationSchedule(
                    GetRotationScheduleRequest.newBuilder().setPortalId(p).build())),
            Rpc.auditedTenantWide("ListDueRotations", "schedule", (s, p) -> s.admin().listDueRotations(
                    ListDueRotationsRequest.getDefaultInstance())),
            Rpc.audited("QueryAccessLog", "admin", (s, p) -> s.admin().queryAccessLog(
                    QueryAccessLogRequest.newBuilder().setPortalId(p).build())),
            Rpc.auditedTenantWide("MigrateLegacyCredentials", "migrate", (s, p) -> s.admin().migrateLegacyCredentials(
                    MigrateLegacyCredentialsRequest.newBuilder().setDryRun(true).build())),
            Rpc.auditedTenantWide("PurgeLegacyCredentials", "migrate", (s, p) -> s.admin().purgeLegacyCredentials(
                    PurgeLegacyCredentialsRequest.newBuilder().setDryRun(true).build())),
            Rpc.auditedTenantWide("RevokeClientCertificate", "revoke", (s, p) -> s.admin().revokeClientCertificate(
                    RevokeClientCertificateRequest.newBuilder().setFingerprintSha256("0".repeat(64)).build())),
            Rpc.auditedTenantWide("ListRevokedCertificates", "admin", (s, p) -> s.admin().listRevokedCertificates(
                    ListRevokedCertificatesRequest.getDefaultInstance())),
            Rpc.audited("BeginRotation", "rotate", (s, p) -> s.credentials().beginRotation(
                    BeginRotationRequest.newBuilder().setPortalId(p).build())),
            Rpc.audited("CompleteRotation", "rotate", (s, p) -> s.credentials().completeRotation(
                    CompleteRotationRequest.newBuilder().setPortalId(p).setRotationId(UUID.randomUUID().toString())
                            .setSucceeded(true).build())),
            Rpc.audited("ReportLoginOutcome", "login_outcome", (s, p) -> s.credentials().reportLoginOutcome(
                    ReportLoginOutcomeRequest.newBuilder().setPortalId(p).setOutcome(LoginOutcome.LOGIN_OUTCOME_SUCCESS)
                            .setVersion(1).build())),
            Rpc.audited("ResumeCredentials", "login_outcome", (s, p) -> s.admin().resumeCredentials(
                    ResumeCredentialsRequest.newBuilder().setPortalId(p).build())),
            Rpc.auditedTenantWide("VerifyAuditLog", "admin", (s, p) -> s.admin().verifyAuditLog(
                    VerifyAuditLogRequest.getDefaultInstance())));

    /** Expected status per RPC (in the order of {@link #RPCS}) for each identity. */
    private static final Map<TestIdentity, List<Status.Code>> EXPECTED = new LinkedHashMap<>();

    static {
        // schedules (its own portal: RegisterEndpoint registered it), access log, legacy, revocation;
        // then BeginRotation and CompleteRotation of a portal whose credentials were deleted
        // ... then ReportLoginOutcome about those deleted credentials, ResumeCredentials and VerifyAuditLog
        List<Status.Code> otherAdminRpcs = List.of(OK, OK, OK, OK, OK, OK, OK, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK);
        // a worker lists due rotations, may begin only a due one (this is not), completes only its own
        EXPECTED.put(TestIdentity.TENANT_A_WORKER, List.of(OK, OK, PERMISSION_DENIED, PERMISSION_DENIED,
                PERMISSION_DENIED, PERMISSION_DENIED, PERMISSION_DENIED, PERMISSION_DENIED, OK,
                PERMISSION_DENIED, PERMISSION_DENIED, PERMISSION_DENIED, PERMISSION_DENIED, PERMISSION_DENIED,
                FAILED_PRECONDITION, NOT_FOUND, OK, PERMISSION_DENIED, PERMISSION_DENIED));
        EXPECTED.put(TestIdentity.TENANT_A_ADMIN, concat(List.of(OK, OK, OK, OK, OK, OK), otherAdminRpcs));
        EXPECTED.put(TestIdentity.TENANT_B_ADMIN, concat(List.of(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK),
                otherAdminRpcs));
        for (TestIdentity mapsToNoTenant : List.of(TestIdentity.NO_SAN, TestIdentity.TWO_SPIFFE_IDS,
                TestIdentity.FOREIGN_TRUST_DOMAIN, TestIdentity.SPIFFE_ID_WITH_PORT, TestIdentity.SPIFFE_ID_WITH_USER_INFO,
                TestIdentity.REVOKED_WORKER)) {
            EXPECTED.put(mapsToNoTenant, RPCS.stream().map(rpc -> UNAUTHENTICATED).toList());
        }
        for (TestIdentity handshakeFails : List.of(TestIdentity.FOREIGN_CA, TestIdentity.EXPIRED, TestIdentity.NONE)) {
            EXPECTED.put(handshakeFails, RPCS.stream().map(rpc -> UNAVAILABLE).toList());
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TestIdentity.class, names = {"TENANT_A_WORKER", "TENANT_A_ADMIN", "TENANT_B_ADMIN", "NO_SAN",
        "TWO_SPIFFE_IDS", "FOREIGN_TRUST_DOMAIN", "SPIFFE_ID_WITH_PORT", "SPIFFE_ID_WITH_USER_INFO", "REVOKED_WORKER",
        "FOREIGN_CA", "EXPIRED", "NONE"})
    void everyRpcAnswersExactlyAsThePolicySays(TestIdentity identity) throws Exception {
        if (identity == TestIdentity.REVOKED_WORKER) {
            revokeTheRevokedWorker();
        }
        String portal = "matrix-" + UUID.randomUUID();
        Broker.registerAndStore(TestIdentity.TENANT_A_ADMIN, portal, SECRET);
        List<Status.Code> expected = EXPECTED.get(identity);

        ManagedChannel channel = TestGrpc.newChannel(identity, TestGrpc.port(), "matrix/1.0");
        try {
            Stubs stubs = new Stubs(
                    CredentialServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS),
                    CredentialAdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS));
            for (int i = 0; i < RPCS.size(); i++) {
                Rpc rpc = RPCS.get(i);
                int rowsBefore = auditRows(identity, rpc, portal);
                Status.Code actual = call(rpc, stubs, portal, identity);
                assertEquals(expected.get(i), actual, identity + " " + rpc.name());
                assertAudited(identity, portal, rpc, actual, rowsBefore);
            }
        } finally {
            TestGrpc.shutdown(channel);
        }
    }

    /** tenant-a's admin revokes the certificate, and every replica (this one) refuses it within seconds. */
    private static void revokeTheRevokedWorker() throws Exception {
        X509Certificate certificate;
        try (InputStream in = Files.newInputStream(TestIdentity.REVOKED_WORKER.certFile(TestEnvironment.pkiDir()))) {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        Broker.admin(TestIdentity.TENANT_A_ADMIN).revokeClientCertificate(RevokeClientCertificateRequest.newBuilder()
                .setFingerprintSha256(CertificateTable.fingerprint(certificate)).setReason("tenancy matrix").build());
        Await.until(Duration.ofSeconds(20), () -> {
            try {
                Broker.credentials(TestIdentity.REVOKED_WORKER).getCredentials(
                        GetCredentialsRequest.newBuilder().setPortalId("revoked-probe").build());
                return false;
            } catch (StatusRuntimeException e) {
                return e.getStatus().getCode() == UNAUTHENTICATED;
            }
        });
    }

    @Test
    void anotherTenantsPortalAndAMissingPortalAnswerTheSame() {
        String portal = "matrix-" + UUID.randomUUID();
        Broker.registerAndStore(TestIdentity.TENANT_A_ADMIN, portal, SECRET);

        StatusRuntimeException otherTenant = getFails(TestIdentity.TENANT_B_ADMIN, portal);
        StatusRuntimeException missing = getFails(TestIdentity.TENANT_A_ADMIN, portal + "-missing");

        assertEquals(otherTenant.getStatus().getCode(), missing.getStatus().getCode());
        assertEquals(otherTenant.getStatus().getDescription(), missing.getStatus().getDescription().replace("-missing", ""));
    }

    private static StatusRuntimeException getFails(TestIdentity identity, String portal) {
        try {
            Broker.credentials(identity).getCredentials(GetCredentialsRequest.newBuilder().setPortalId(portal).build());
            throw new AssertionError("expected a failure");
        } catch (StatusRuntimeException e) {
            return e;
        }
    }

    private static Status.Code call(Rpc rpc, Stubs stubs, String portal, TestIdentity identity) {
        try {
            Message answer = rpc.call().apply(stubs, portal);
            if (identity.tenant() == null || !identity.tenant().equals("tenant-a")) {
                assertThat(answer.toString()).doesNotContain(SECRET);
            }
            return OK;
        } catch (StatusRuntimeException e) {
            assertThat(String.valueOf(e.getStatus().getDescription())).doesNotContain(SECRET);
            if (e.getStatus().getCode() == UNAVAILABLE) {
                assertThat(e).as("handshake failure").hasRootCauseInstanceOf(javax.net.ssl.SSLException.class);
            }
            return e.getStatus().getCode();
        }
    }

    /**
     * Exactly one new row in the caller's own tenant when the tenant is known (the handshake
     * succeeded and the certificate maps to one); none otherwise.
     */
    private static void assertAudited(TestIdentity identity, String portal, Rpc rpc, Status.Code actual, int rowsBefore) {
        int rowsAfter = auditRows(identity, rpc, portal);
        if (identity.tenant() == null || actual == UNAVAILABLE) {
            assertEquals(rowsBefore, rowsAfter, identity + " " + rpc.name() + " must not be audited");
            return;
        }
        assertEquals(rowsBefore + 1, rowsAfter, identity + " " + rpc.name() + " must write one audit row");
        List<AuditLog.Row> rows = AuditLog.rows(identity.tenant(), rpc.portalScoped() ? portal : null);
        AuditLog.Row row = rows.get(rows.size() - 1);
        assertEquals(rpc.accessType(), row.accessType());
        assertEquals(actual == OK, row.success());
        assertEquals(identity.principal(TestEnvironment.TRUST_DOMAIN), row.accessBy());
        assertEquals("127.0.0.1", row.ipAddress());
    }

    private static int auditRows(TestIdentity identity, Rpc rpc, String portal) {
        return identity.tenant() == null ? 0 : AuditLog.rows(identity.tenant(), rpc.portalScoped() ? portal : null).size();
    }

    private static List<Status.Code> concat(List<Status.Code> a, List<Status.Code> b) {
        List<Status.Code> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
