package org.rcm.credentials.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rcm.credentials.api.v1.RegisterEndpointRequest;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestIdentity;

/** The configurable alternatives to SPIFFE ids: a subject-CN pattern, and the client_certificate table. */
@QuarkusTest
@TestProfile(IdentityMappingTest.AllMappings.class)
class IdentityMappingTest {

    /** SPIFFE first, then the subject CN, then the table. */
    public static class AllMappings implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "rcm.identity.mappings", "spiffe,subject-cn,table",
                    "rcm.identity.subject-cn-pattern", "(?<tenant>[a-z0-9-]+)\\.(?<role>admin|worker)");
        }
    }

    @Test
    void subjectCnPatternMapsTenantAndRole() {
        String portal = "portal-" + UUID.randomUUID();

        register(TestIdentity.CN_MAPPED, portal);

        AuditLog.Row row = AuditLog.rows("tenant-cn", portal).get(0);
        assertEquals("register", row.accessType());
        assertThat(row.accessBy()).contains("CN=tenant-cn.admin");
    }

    @Test
    void certificateTableMapsByFingerprint() throws Exception {
        X509Certificate certificate;
        try (InputStream in = Files.newInputStream(TestIdentity.NO_SAN.certFile(TestEnvironment.pkiDir()))) {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        try (Connection c = TestEnvironment.database().connect(); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO client_certificate (fingerprint_sha256, tenant_id, role, description) VALUES (?, ?, ?, ?)"
                        + " ON CONFLICT DO NOTHING")) {
            insert.setString(1, CertificateTable.fingerprint(certificate));
            insert.setString(2, "tenant-tbl");
            insert.setString(3, "admin");
            insert.setString(4, "legacy integration without a SPIFFE id");
            insert.execute();
        }
        String portal = "portal-" + UUID.randomUUID();

        register(TestIdentity.NO_SAN, portal);

        assertThat(AuditLog.rows("tenant-tbl", portal)).extracting(AuditLog.Row::accessType).containsExactly("register");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TestIdentity.class, names = {"TWO_SPIFFE_IDS", "FOREIGN_TRUST_DOMAIN", "SPIFFE_ID_WITH_PORT",
        "SPIFFE_ID_WITH_USER_INFO"})
    void aSpiffeIdThatMapsToNoOneIsNotOverruledByTheSubjectCn(TestIdentity identity) {
        String portal = "portal-" + UUID.randomUUID();

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> register(identity, portal));

        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
        assertThat(AuditLog.rows("tenant-cn", portal)).isEmpty();
    }

    private static void register(TestIdentity identity, String portal) {
        Broker.admin(identity).registerEndpoint(RegisterEndpointRequest.newBuilder()
                .setPortalId(portal).setName("n").setPortalType("insurance").build());
    }
}
