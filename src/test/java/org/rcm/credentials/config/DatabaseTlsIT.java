package org.rcm.credentials.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.RegisterEndpointRequest;
import org.rcm.credentials.local.DevPki;
import org.rcm.credentials.local.LocalBroker;
import org.rcm.credentials.local.LocalPostgres;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestGrpc;
import org.rcm.credentials.support.TestIdentity;

/**
 * The packaged broker with the production TLS settings against a PostgreSQL that serves TLS:
 * it starts, migrates, listens for invalidations and serves, and every one of its connections
 * (JDBC for the migrations, the reactive pool, the LISTEN connection) is TLS.
 */
class DatabaseTlsIT {

    @Test
    void everyConnectionToTheDatabaseIsVerifiedTls() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "database-tls"));
        DevPki.Authority ca = DevPki.Authority.create(dir, "db-ca");
        DevPki.Issued server = ca.issueServer(dir, "db-server");
        Files.setPosixFilePermissions(server.keyFile(), PosixFilePermissions.fromString("rw-------"));

        try (LocalPostgres postgres = LocalPostgres.startEphemeralTls(server.certFile(), server.keyFile())) {
            LocalPostgres.Database database = postgres.createDatabase("rcm_tls");
            Map<String, String> config = new HashMap<>(TestEnvironment.brokerConfig());
            config.putAll(database.quarkusConfig());
            config.put("quarkus.datasource.reactive.postgresql.ssl-mode", "verify-full");
            config.put("quarkus.datasource.reactive.trust-certificate-pem.certs", ca.certFile().toString());
            config.put("quarkus.datasource.jdbc.additional-jdbc-properties.sslrootcert", ca.certFile().toString());
            config.put("rcm.database.allow-plaintext", "false");

            try (LocalBroker broker = LocalBroker.start(config, 0, 0, dir.resolve("broker.log"), List.of())) {
                broker.awaitReady(Duration.ofSeconds(90)); // ready includes the LISTEN connection
                ManagedChannel channel = TestGrpc.newChannel(TestIdentity.TENANT_A_ADMIN, broker.grpcPort(), "tls-it");
                try {
                    Broker.admin(channel).registerEndpoint(RegisterEndpointRequest.newBuilder()
                            .setPortalId("over-tls").setName("n").setPortalType("insurance").build());
                } finally {
                    TestGrpc.shutdown(channel);
                }

                try (Connection c = database.connect(); ResultSet rs = c.createStatement().executeQuery("""
                        SELECT count(*) FILTER (WHERE s.ssl), count(*) FILTER (WHERE NOT s.ssl)
                          FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
                         WHERE a.datname = 'rcm_tls' AND a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()""")) {
                    rs.next();
                    assertTrue(rs.getLong(1) >= 2, "the pool's and the listener's connections: " + rs.getLong(1));
                    assertEquals(0, rs.getLong(2), "connections without TLS");
                }
            }
        }
    }
}
