package org.rcm.credentials.local;

import java.nio.file.Path;
import java.util.Map;

/**
 * The certificates a local broker serves with: a development CA ({@code ca.crt}), a server
 * certificate for localhost ({@code server.crt}, {@code server.key}), and client
 * certificates whose URI SAN is {@code spiffe://{trust-domain}/tenant/{tenant}/{role}}.
 * Throw-away material, never used in production.
 */
public final class LocalPki {

    private final Path dir;
    private final String trustDomain;
    private final DevPki.Authority ca;

    private LocalPki(Path dir, String trustDomain, DevPki.Authority ca) {
        this.dir = dir;
        this.trustDomain = trustDomain;
        this.ca = ca;
    }

    /** Creates a CA and a server certificate in {@code dir}. */
    public static LocalPki create(Path dir, String trustDomain) {
        DevPki.Authority ca = DevPki.Authority.create(dir, "ca");
        ca.issueServer(dir, "server");
        return new LocalPki(dir, trustDomain, ca);
    }

    /**
     * Uses the files an earlier {@link #create} wrote; it issues new certificates when the CA's
     * key is among them ({@code ca.key}).
     */
    public static LocalPki load(Path dir, String trustDomain) {
        return new LocalPki(dir, trustDomain, DevPki.Authority.load(dir, "ca").orElse(null));
    }

    public Path dir() {
        return dir;
    }

    public String trustDomain() {
        return trustDomain;
    }

    public DevPki.Authority ca() {
        if (ca == null) {
            throw new IllegalStateException("this PKI was loaded from files without the CA's key and cannot issue certificates");
        }
        return ca;
    }

    /** The SPIFFE id of a tenant's role. */
    public String spiffeId(String tenant, String role) {
        return "spiffe://" + trustDomain + "/tenant/" + tenant + "/" + role;
    }

    /** Issues {@code <name>.crt} and {@code <name>.key} for a tenant's role. */
    public DevPki.Issued client(String name, String tenant, String role) {
        return ca().issueClient(dir, name, "CN=" + tenant + "-" + role, spiffeId(tenant, role));
    }

    /** The server's TLS settings as Quarkus configuration. */
    public Map<String, String> serverConfig() {
        return Map.of(
                "quarkus.tls.grpc.key-store.pem.server.cert", dir.resolve("server.crt").toString(),
                "quarkus.tls.grpc.key-store.pem.server.key", dir.resolve("server.key").toString(),
                "quarkus.tls.grpc.trust-store.pem.certs", dir.resolve("ca.crt").toString(),
                "rcm.identity.trust-domain", trustDomain);
    }
}
