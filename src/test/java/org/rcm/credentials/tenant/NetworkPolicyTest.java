package org.rcm.credentials.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rcm.credentials.api.v1.RegisterEndpointRequest;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Db;
import org.rcm.credentials.support.Metrics;
import org.rcm.credentials.support.TestIdentity;

/**
 * Per-tenant allowed address ranges: a call from outside is refused (deny) or served and
 * flagged (flag), by the tenant's policy; both are audited with the address. The test client
 * calls from 127.0.0.1, outside both tenants' ranges (see application.properties, %test).
 */
@QuarkusTest
class NetworkPolicyTest {

    @Inject
    MeterRegistry registry;

    private double unexpectedIpCount(String action) {
        return Metrics.count(registry, "rcm.access.unexpected.ip", "action", action);
    }

    @Test
    void callFromOutsideADenyingTenantsRangesIsRefusedAndAudited() {
        String portal = "portal-" + UUID.randomUUID();
        double denied = unexpectedIpCount("deny");

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> register(TestIdentity.IP_DENIED_ADMIN, portal));

        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        assertEquals("calls from this address are not allowed for the tenant", e.getStatus().getDescription());
        assertThat(Db.endpoint("tenant-ipdeny", portal)).isEmpty();
        assertThat(unexpectedIpRows("tenant-ipdeny", portal)).containsExactly("f");
        AuditLog.Row row = AuditLog.rows("tenant-ipdeny", portal).get(0);
        assertEquals("127.0.0.1", row.ipAddress());
        assertEquals(denied + 1, unexpectedIpCount("deny"));
    }

    @Test
    void callFromOutsideAFlaggingTenantsRangesIsServedAndFlagged() {
        String portal = "portal-" + UUID.randomUUID();
        double flagged = unexpectedIpCount("flag");

        register(TestIdentity.IP_FLAGGED_ADMIN, portal);

        assertThat(Db.endpoint("tenant-ipflag", portal)).isNotEmpty();
        assertThat(unexpectedIpRows("tenant-ipflag", portal)).containsExactly("t");
        assertEquals("127.0.0.1", AuditLog.rows("tenant-ipflag", portal).get(0).ipAddress());
        assertEquals(flagged + 1, unexpectedIpCount("flag"));
    }

    @Test
    void tenantsWithoutRangesAreNotFlagged() {
        String portal = "portal-" + UUID.randomUUID();
        Broker.register(TestIdentity.TENANT_A_ADMIN, portal);

        assertThat(Db.count("SELECT count(*) FROM credential_access_log WHERE tenant_id = 'tenant-a' AND portal_id = ?"
                + " AND unexpected_ip", portal)).isZero();
    }

    @Test
    void cidrRangesMatchByPrefix() throws Exception {
        assertThat(Cidr.parse("10.0.0.0/8").contains(InetAddress.getByName("10.200.3.4"))).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").contains(InetAddress.getByName("11.0.0.1"))).isFalse();
        assertThat(Cidr.parse("192.168.1.128/25").contains(InetAddress.getByName("192.168.1.200"))).isTrue();
        assertThat(Cidr.parse("192.168.1.128/25").contains(InetAddress.getByName("192.168.1.127"))).isFalse();
        assertThat(Cidr.parse("127.0.0.1").contains(InetAddress.getByName("127.0.0.1"))).isTrue();
        assertThat(Cidr.parse("fd00::/8").contains(InetAddress.getByName("fd12::1"))).isTrue();
        assertThat(Cidr.parse("fd00::/8").contains(InetAddress.getByName("10.0.0.1"))).isFalse();
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("example.com/8"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0/33"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cafe.bad/8", "deadbeef", "127.1/32", "2130706433", "10.0.0/8", "0x7f.0.0.1"})
    void onlyLiteralAddressesAreRanges(String cidr) {
        // no DNS look-up for a word of hex letters, no legacy inet_aton forms read as other addresses
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse(cidr));
    }

    private static void register(TestIdentity identity, String portal) {
        Broker.admin(identity).registerEndpoint(RegisterEndpointRequest.newBuilder()
                .setPortalId(portal).setName("n").setPortalType("insurance").build());
    }

    private static List<String> unexpectedIpRows(String tenant, String portal) {
        return List.of(Db.count("SELECT count(*) FROM credential_access_log WHERE tenant_id = ? AND portal_id = ?"
                        + " AND unexpected_ip", tenant, portal) == 1 ? (Db.count("SELECT count(*) FROM credential_access_log"
                        + " WHERE tenant_id = ? AND portal_id = ? AND unexpected_ip AND success", tenant, portal) == 1 ? "t" : "f")
                : "none");
    }
}
