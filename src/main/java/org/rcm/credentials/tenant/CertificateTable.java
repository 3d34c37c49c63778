package org.rcm.credentials.tenant;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Optional;

/** The {@code client_certificate} table: certificate SHA-256 fingerprint to tenant and role. */
@ApplicationScoped
public class CertificateTable {

    private final Pool pool;

    public CertificateTable(Pool pool) {
        this.pool = pool;
    }

    public Uni<Optional<TenantIdentity>> lookup(X509Certificate certificate) {
        return pool.preparedQuery("SELECT tenant_id, role FROM client_certificate WHERE fingerprint_sha256 = $1")
                .execute(Tuple.of(fingerprint(certificate)))
                .map(rows -> first(rows, certificate.getSubjectX500Principal().getName()));
    }

    /** Lower-case hex SHA-256 of the DER-encoded certificate. */
    public static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint certificate", e);
        }
    }

    private static Optional<TenantIdentity> first(RowSet<Row> rows, String principal) {
        for (Row row : rows) {
            return Role.parse(row.getString("role"))
                    .map(role -> new TenantIdentity(row.getString("tenant_id"), role, principal));
        }
        return Optional.empty();
    }
}
