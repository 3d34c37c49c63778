package org.rcm.credentials.support;

import io.grpc.Channel;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.rcm.credentials.api.v1.CredentialAdminServiceGrpc;
import org.rcm.credentials.api.v1.CredentialAdminServiceGrpc.CredentialAdminServiceBlockingStub;
import org.rcm.credentials.api.v1.CredentialServiceGrpc;
import org.rcm.credentials.api.v1.CredentialServiceGrpc.CredentialServiceBlockingStub;
import org.rcm.credentials.api.v1.Credentials;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.api.v1.GetCredentialsResponse;
import org.rcm.credentials.api.v1.RegisterEndpointRequest;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;

/** Blocking gRPC stubs of the broker under test, per client identity, with a deadline. */
public final class Broker {

    private Broker() {
    }

    /** A portal id no other test uses. */
    public static String newPortal() {
        return "portal-" + UUID.randomUUID();
    }

    /** GetCredentials of {@code portal} as {@code identity}. */
    public static GetCredentialsResponse get(TestIdentity identity, String portal) {
        return credentials(identity).getCredentials(GetCredentialsRequest.newBuilder().setPortalId(portal).build());
    }

    public static CredentialServiceBlockingStub credentials(TestIdentity identity) {
        return credentials(TestGrpc.channel(identity));
    }

    public static CredentialServiceBlockingStub credentials(Channel channel) {
        return CredentialServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    public static CredentialAdminServiceBlockingStub admin(TestIdentity identity) {
        return admin(TestGrpc.channel(identity));
    }

    public static CredentialAdminServiceBlockingStub admin(Channel channel) {
        return CredentialAdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    /** Example credentials whose password is {@code password}. */
    public static Credentials credentialsWith(String password) {
        return Credentials.newBuilder()
                .setUsername("portal_user")
                .setPassword(password)
                .setMfaSeed("JBSWY3DPEHPK3PXP")
                .putMetadata("portal_type", "insurance")
                .putMetadata("portal_name", "BlueCross BlueShield")
                .build();
    }

    /** Registers {@code portal} for the identity's tenant. */
    public static void register(TestIdentity admin, String portal) {
        register(admin, portal, "");
    }

    public static void register(TestIdentity admin, String portal, String legacyConfigJson) {
        register(TestGrpc.channel(admin), portal, legacyConfigJson);
    }

    /** Registers {@code portal} with {@code legacyConfigJson} through {@code admin}, a channel of an admin identity. */
    public static void register(Channel admin, String portal, String legacyConfigJson) {
        admin(admin).registerEndpoint(RegisterEndpointRequest.newBuilder()
                .setPortalId(portal)
                .setName("BlueCross BlueShield")
                .setPortalType("insurance")
                .setLegacyConfigJson(legacyConfigJson)
                .build());
    }

    /** Registers {@code portal} and stores credentials with {@code password} in it. */
    public static long registerAndStore(TestIdentity admin, String portal, String password) {
        return registerAndStore(TestGrpc.channel(admin), portal, password);
    }

    /** The same through {@code admin}, a channel of an admin identity (to a broker of one's own, say). */
    public static long registerAndStore(Channel admin, String portal, String password) {
        register(admin, portal, "");
        return credentials(admin).storeCredentials(StoreCredentialsRequest.newBuilder()
                .setPortalId(portal)
                .setCredentials(credentialsWith(password))
                .build()).getVersion();
    }
}
