package org.rcm.credentials.totp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.rcm.credentials.support.AuditLog.last;
import static org.rcm.credentials.support.Broker.credentials;
import static org.rcm.credentials.support.Broker.newPortal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.Credentials;
import org.rcm.credentials.api.v1.GenerateTotpRequest;
import org.rcm.credentials.api.v1.GenerateTotpResponse;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.TestIdentity;
import org.rcm.credentials.totp.TotpGenerator;

/** Workers get TOTP codes, never the seed; each code is audited as a retrieval. */
@QuarkusTest
class GenerateTotpTest {

    private static final TestIdentity ADMIN = TestIdentity.TENANT_A_ADMIN;

    @Test
    void workerGetsTheCurrentCodeOfTheStoredSeed() {
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "pw");

        GenerateTotpResponse totp = credentials(TestIdentity.TENANT_A_WORKER)
                .generateTotp(GenerateTotpRequest.newBuilder().setPortalId(portal).build());

        Instant validUntil = Instant.ofEpochSecond(totp.getValidUntil().getSeconds());
        String expected = new TotpGenerator().generate("JBSWY3DPEHPK3PXP", validUntil.minusSeconds(1)).code();
        assertEquals(expected, totp.getCode());
        assertThat(validUntil).isAfter(Instant.now().minusSeconds(1)).isBefore(Instant.now().plusSeconds(31));
        AuditLog.Row row = last(AuditLog.rows("tenant-a", portal));
        assertEquals("retrieve", row.accessType());
        assertEquals(true, row.success());
    }

    @Test
    void portalWithoutASeedIsNotFound() {
        String portal = newPortal();
        Broker.register(ADMIN, portal);
        credentials(ADMIN).storeCredentials(StoreCredentialsRequest.newBuilder().setPortalId(portal)
                .setCredentials(Credentials.newBuilder().setUsername("u").setPassword("p")).build());

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> credentials(ADMIN)
                .generateTotp(GenerateTotpRequest.newBuilder().setPortalId(portal).build()));

        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertEquals("portal " + portal + " has no mfa_seed", e.getStatus().getDescription());
    }
}
