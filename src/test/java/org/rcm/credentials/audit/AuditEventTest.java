package org.rcm.credentials.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The address of an audit row is stored as {@code inet}, which has no IPv6 zone; a withheld answer is a failure. */
class AuditEventTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "fe80::1%eth0, fe80::1",
        "fe80:0:0:0:0:0:0:1%2, fe80:0:0:0:0:0:0:1",
        "fe80::1%, fe80::1",
        "2001:db8::7, 2001:db8::7",
        "10.1.2.3, 10.1.2.3",
    })
    void zoneIsRemovedFromTheAddress(String address, String stored) {
        assertEquals(stored, eventFrom(address).ipAddress());
    }

    @Test
    void scopedAddressOfTheJdkLosesItsZone() throws Exception {
        InetAddress linkLocal = Inet6Address.getByAddress(null, InetAddress.getByName("fe80::1").getAddress(), 3);

        assertEquals("fe80:0:0:0:0:0:0:1%3", linkLocal.getHostAddress());
        assertEquals("fe80:0:0:0:0:0:0:1", eventFrom(linkLocal.getHostAddress()).ipAddress());
    }

    @Test
    void missingOrEmptyAddressIsStoredAsNull() {
        assertNull(eventFrom(null).ipAddress());
        assertNull(eventFrom("").ipAddress());
        assertNull(eventFrom("%eth0").ipAddress());
    }

    @ParameterizedTest
    @CsvSource({"RETRIEVE, false", "TOTP, false", "STORE, true", "ROTATE, true"})
    void aWithheldAnswerIsRecordedAsFailedForCredentialsAndCodesNotForChanges(AccessType type, boolean stillSucceeded) {
        AuditEvent event = new AuditEvent("tenant-a", "portal", null, type, "spiffe://test/tenant/tenant-a/worker",
                "10.1.2.3", "agent", true, null, false, Instant.now());

        assertEquals(stillSucceeded, event.withheld("UNAVAILABLE: late").success());
    }

    static AuditEvent eventFrom(String address) {
        return new AuditEvent("tenant-a", "portal", null, AccessType.RETRIEVE, "spiffe://test/tenant/tenant-a/admin",
                address, "agent", true, null, false, Instant.now());
    }
}
