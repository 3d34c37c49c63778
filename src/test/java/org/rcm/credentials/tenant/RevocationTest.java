package org.rcm.credentials.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.api.v1.ListRevokedCertificatesRequest;
import org.rcm.credentials.api.v1.RevokeClientCertificateRequest;
import org.rcm.credentials.api.v1.RevokeClientCertificateResponse;
import org.rcm.credentials.local.DevPki;
import org.rcm.credentials.local.LocalPki;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.Await;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Metrics;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestGrpc;

/**
 * A tenant's admin revokes one of the tenant's client certificates before it expires: every
 * call with it is refused UNAUTHENTICATED within seconds, counted; another tenant cannot revoke it.
 */
@QuarkusTest
class RevocationTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    MeterRegistry registry;

    @Test
    void aCertificateRevokedByItsFingerprintIsRefused() throws Exception {
        String tenant = "revoke-" + UUID.randomUUID();
        Channel worker = TestGrpc.channel(tenant, "worker");
        assertEquals(Status.Code.NOT_FOUND, getCode(worker)); // served: its portal just does not exist
        double refusedBefore = Metrics.count(registry, "rcm.access.revoked");

        RevokeClientCertificateResponse revoked = Broker.admin(TestGrpc.channel(tenant, "admin"))
                .revokeClientCertificate(RevokeClientCertificateRequest.newBuilder()
                        .setFingerprintSha256(CertificateTable.fingerprint(certificate(tenant, "worker")).toUpperCase())
                        .setReason("laptop lost").build());

        assertFalse(revoked.getAlreadyRevoked());
        assertEquals(Status.Code.UNAUTHENTICATED, getCode(worker), "in effect when the revocation answers");
        assertThat(Metrics.count(registry, "rcm.access.revoked")).isGreaterThan(refusedBefore);
        AuditLog.Row row = AuditLog.last(tenant);
        assertEquals("revoke", row.accessType());
        assertTrue(row.success());
        var listed = Broker.admin(TestGrpc.channel(tenant, "admin"))
                .listRevokedCertificates(ListRevokedCertificatesRequest.getDefaultInstance()).getRevokedList();
        assertThat(listed).singleElement().satisfies(entry -> {
            assertEquals(CertificateTable.fingerprint(certificate(tenant, "worker")), entry.getFingerprintSha256());
            assertEquals("laptop lost", entry.getReason());
            assertThat(entry.getRevokedBy()).endsWith("/tenant/" + tenant + "/admin");
        });
        assertTrue(Broker.admin(TestGrpc.channel(tenant, "admin")).revokeClientCertificate(RevokeClientCertificateRequest
                .newBuilder().setFingerprintSha256(entryFingerprint(tenant)).build()).getAlreadyRevoked());
    }

    @Test
    void aCertificateRevokedBySerialAndIssuerIsRefused() throws Exception {
        String tenant = "revoke-" + UUID.randomUUID();
        Channel worker = TestGrpc.channel(tenant, "worker");
        X509Certificate certificate = certificate(tenant, "worker");
        String serial = HexFormat.ofDelimiter(":").formatHex(certificate.getSerialNumber().toByteArray());

        Broker.admin(TestGrpc.channel(tenant, "admin")).revokeClientCertificate(RevokeClientCertificateRequest.newBuilder()
                .setSerialNumber(serial)
                .setIssuer(certificate.getIssuerX500Principal().getName())
                .build());

        Await.until(WAIT, () -> getCode(worker) == Status.Code.UNAUTHENTICATED);
    }

    @Test
    void anotherTenantCannotRevokeACertificate() throws Exception {
        String tenant = "revoke-" + UUID.randomUUID();
        Channel worker = TestGrpc.channel(tenant, "worker");

        Broker.admin(TestGrpc.channel("other-" + tenant, "admin")).revokeClientCertificate(RevokeClientCertificateRequest
                .newBuilder().setFingerprintSha256(entryFingerprint(tenant)).build());

        // a revocation is in effect on the replica that answered it: had it applied, this were refused
        assertEquals(Status.Code.NOT_FOUND, getCode(worker));
    }

    @Test
    void aRevocationNamesOneCertificateExactly() {
        Channel admin = TestGrpc.channel("revoke-" + UUID.randomUUID(), "admin");
        for (RevokeClientCertificateRequest bad : new RevokeClientCertificateRequest[] {
            RevokeClientCertificateRequest.getDefaultInstance(),
            RevokeClientCertificateRequest.newBuilder().setFingerprintSha256("abc").build(),
            RevokeClientCertificateRequest.newBuilder().setFingerprintSha256("a".repeat(64)).setSerialNumber("01").build(),
            RevokeClientCertificateRequest.newBuilder().setSerialNumber("zz").setIssuer("CN=x").build(),
            RevokeClientCertificateRequest.newBuilder().setSerialNumber("01").build(),
            RevokeClientCertificateRequest.newBuilder().setSerialNumber("01").setIssuer("not a DN").build()}) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> Broker.admin(admin).revokeClientCertificate(bad));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), bad.toString());
        }
    }

    @Test
    void aCertificateListedInTheClientCasCrlIsRefusedAndAForgedCrlIsNot() throws Exception {
        String tenant = "crl-" + UUID.randomUUID();
        Channel worker = TestGrpc.channel(tenant, "worker");
        assertEquals(Status.Code.NOT_FOUND, getCode(worker));
        DevPki.Authority ca = LocalPki.load(TestEnvironment.pkiDir(), TestEnvironment.TRUST_DOMAIN).ca();
        double failuresBefore = Metrics.count(registry, "rcm.crl.reload.failures");

        ca.writeCrl(TestEnvironment.crlFile(), List.of(certificate(tenant, "worker")), DevPki.Authority.otherKey());
        Await.until(WAIT, () -> Metrics.count(registry, "rcm.crl.reload.failures") > failuresBefore);
        assertEquals(Status.Code.NOT_FOUND, getCode(worker), "a CRL the client CA did not sign revokes nothing");

        ca.writeCrl(TestEnvironment.crlFile(), List.of(certificate(tenant, "worker")), null);
        Await.until(WAIT, () -> getCode(worker) == Status.Code.UNAUTHENTICATED);
        assertEquals(Status.Code.NOT_FOUND, getCode(TestGrpc.channel(tenant, "admin")), "only the listed certificate");
    }

    private static String entryFingerprint(String tenant) throws Exception {
        return CertificateTable.fingerprint(certificate(tenant, "worker"));
    }

    private static Status.Code getCode(Channel channel) {
        try {
            Broker.credentials(channel).getCredentials(GetCredentialsRequest.newBuilder().setPortalId("nothing-here").build());
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    private static X509Certificate certificate(String tenant, String role) throws Exception {
        try (InputStream in = Files.newInputStream(TestEnvironment.pkiDir().resolve("own-" + tenant + "-" + role + ".crt"))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
