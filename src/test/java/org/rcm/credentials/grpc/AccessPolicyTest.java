package org.rcm.credentials.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rcm.credentials.grpc.AccessPolicy.Requirement;
import org.rcm.credentials.tenant.Role;

/** Which gRPC methods are served, and to whom. */
class AccessPolicyTest {

    @Test
    void brokerRpcsNeedATenantRole() {
        assertEquals(EnumSet.allOf(Role.class),
                AccessPolicy.accessFor("rcm.credentials.v1.CredentialService/GetCredentials", false).roles());
        assertEquals(EnumSet.of(Role.ADMIN),
                AccessPolicy.accessFor("rcm.credentials.v1.CredentialService/DeleteCredentials", false).roles());
        assertEquals(EnumSet.of(Role.ADMIN),
                AccessPolicy.accessFor("rcm.credentials.v1.CredentialAdminService/MigrateLegacyCredentials", true).roles());
    }

    @Test
    void healthNeedsOnlyATrustedCertificate() {
        assertEquals(Requirement.TRUSTED_CERTIFICATE, AccessPolicy.accessFor("grpc.health.v1.Health/Check", false).requirement());
    }

    @ParameterizedTest
    @ValueSource(strings = {"grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"})
    void reflectionNeedsAMappedCertificateAndCanBeTurnedOff(String method) {
        assertEquals(Requirement.MAPPED_CERTIFICATE, AccessPolicy.accessFor(method, true).requirement());
        assertEquals(Requirement.REFUSED, AccessPolicy.accessFor(method, false).requirement());
    }

    @ParameterizedTest
    @ValueSource(strings = {"grpc.channelz.v1.Channelz/GetTopChannels", "rcm.credentials.v2.CredentialService/GetCredentials",
        "example.Greeter/SayHello", "noslash"})
    void everyOtherServiceIsRefused(String method) {
        assertEquals(Requirement.REFUSED, AccessPolicy.accessFor(method, true).requirement());
    }
}
