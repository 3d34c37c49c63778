package org.rcm.credentials.support;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.rcm.credentials.local.DevPki;
import org.rcm.credentials.local.LocalPki;

/** The client identities of the tests, issued by {@link TestEnvironment} at the start of a run. */
public enum TestIdentity {
    TENANT_A_WORKER("tenant-a", "worker"),
    TENANT_A_ADMIN("tenant-a", "admin"),
    TENANT_B_ADMIN("tenant-b", "admin"),
    /** Trusted CA, but no SPIFFE id: maps to no tenant. */
    NO_SAN(null, null),
    /** A tenant-a admin certificate from a CA the server does not trust. */
    FOREIGN_CA("tenant-a", "admin"),
    /** A tenant-a admin certificate from the trusted CA that has expired. */
    EXPIRED("tenant-a", "admin"),
    /** No client certificate at all. */
    NONE(null, null),
    /** An admin of a tenant whose allowed address ranges exclude loopback, with policy deny. */
    IP_DENIED_ADMIN("tenant-ipdeny", "admin"),
    /** An admin of a tenant whose allowed address ranges exclude loopback, with policy flag. */
    IP_FLAGGED_ADMIN("tenant-ipflag", "admin"),
    /** No SPIFFE id; subject CN {@code tenant-cn.admin}, for the subject-CN mapping. */
    CN_MAPPED(null, null),
    /**
     * The certificates below carry a SPIFFE id that maps to nobody, and the subject CN
     * {@code tenant-cn.admin}: a SPIFFE id decides alone, so the CN must never be consulted.
     * Two SPIFFE ids (tenant-a's admin and tenant-b's admin).
     */
    TWO_SPIFFE_IDS(null, null),
    /** tenant-a's admin in another trust domain. */
    FOREIGN_TRUST_DOMAIN(null, null),
    /** tenant-a's admin with a port in the SPIFFE id. */
    SPIFFE_ID_WITH_PORT(null, null),
    /** tenant-a's admin with user information in the SPIFFE id. */
    SPIFFE_ID_WITH_USER_INFO(null, null),
    /** A tenant-a worker certificate that the tests that use it revoke first: it maps to no one. */
    REVOKED_WORKER(null, null);

    private static final String CN_ADMIN = "CN=tenant-cn.admin";

    private final String tenant;
    private final String role;

    TestIdentity(String tenant, String role) {
        this.tenant = tenant;
        this.role = role;
    }

    public String tenant() {
        return tenant;
    }

    public String fileName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    public Path certFile(Path pkiDir) {
        return pkiDir.resolve(fileName() + ".crt");
    }

    public Path keyFile(Path pkiDir) {
        return pkiDir.resolve(fileName() + ".key");
    }

    /** The principal the broker records for this identity ({@code access_by}). */
    public String principal(String trustDomain) {
        return "spiffe://" + trustDomain + "/tenant/" + tenant + "/" + role;
    }

    /** Issues every identity's certificate and key into the PKI's folder. */
    static void issueAll(LocalPki pki) {
        Path dir = pki.dir();
        for (TestIdentity id : values()) {
            switch (id) {
                case NONE -> { }
                case NO_SAN -> pki.ca().issueClient(dir, id.fileName(), "CN=no-san-client", null);
                case CN_MAPPED -> pki.ca().issueClient(dir, id.fileName(), "CN=tenant-cn.admin,O=Example Clinic", null);
                case TWO_SPIFFE_IDS -> pki.ca().issueClientWithUris(dir, id.fileName(), CN_ADMIN,
                        List.of(pki.spiffeId("tenant-a", "admin"), pki.spiffeId("tenant-b", "admin")));
                case FOREIGN_TRUST_DOMAIN -> pki.ca().issueClientWithUris(dir, id.fileName(), CN_ADMIN,
                        List.of("spiffe://other.example/tenant/tenant-a/admin"));
                case SPIFFE_ID_WITH_PORT -> pki.ca().issueClientWithUris(dir, id.fileName(), CN_ADMIN,
                        List.of(pki.spiffeId("tenant-a", "admin").replace("/tenant/", ":8443/tenant/")));
                case SPIFFE_ID_WITH_USER_INFO -> pki.ca().issueClientWithUris(dir, id.fileName(), CN_ADMIN,
                        List.of(pki.spiffeId("tenant-a", "admin").replace("spiffe://", "spiffe://admin@")));
                case REVOKED_WORKER -> pki.client(id.fileName(), "tenant-a", "worker");
                case FOREIGN_CA -> DevPki.Authority.create(dir, "foreign-ca")
                        .issueClient(dir, id.fileName(), "CN=foreign", pki.spiffeId(id.tenant, id.role));
                case EXPIRED -> pki.ca().issueClient(dir, id.fileName(), "CN=expired", pki.spiffeId(id.tenant, id.role),
                        Instant.now().minus(Duration.ofDays(30)), Duration.ofDays(1));
                default -> pki.client(id.fileName(), id.tenant, id.role);
            }
        }
    }
}
