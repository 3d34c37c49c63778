package org.rcm.credentials.local;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;

/**
 * A real PostgreSQL server for tests, the local run and the benchmark: the embedded one
 * (real PostgreSQL binaries from Maven Central, started by this JVM), or an existing server
 * given as a URL {@code postgresql://user:password@host:port/database}.
 */
public final class LocalPostgres implements AutoCloseable {

    private final EmbeddedPostgres embedded;
    private final Server server;

    private LocalPostgres(EmbeddedPostgres embedded, Server server) {
        this.embedded = embedded;
        this.server = server;
    }

    /**
     * Starts an embedded server whose data lives in {@code dataDirectory} and survives restarts,
     * crashes included: it commits {@linkplain #durable durably}.
     */
    public static LocalPostgres startPersistent(Path dataDirectory, int port) {
        return startEmbedded(durable(EmbeddedPostgres.builder())
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setPort(port));
    }

    /** Starts an embedded server on a free port with a throw-away data directory. */
    public static LocalPostgres startEphemeral() {
        return startEmbedded(EmbeddedPostgres.builder());
    }

    /** Starts an embedded server on a free port with a throw-away data directory that commits durably. */
    public static LocalPostgres startEphemeralDurable() {
        return startEmbedded(durable(EmbeddedPostgres.builder()));
    }

    /**
     * Commits like a production server: the embedded default runs with fsync and
     * synchronous_commit off, which makes every commit free and a crash able to lose or corrupt data.
     */
    private static EmbeddedPostgres.Builder durable(EmbeddedPostgres.Builder builder) {
        return builder
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on");
    }

    /**
     * Starts an embedded server that also accepts TLS, with {@code certFile} and {@code keyFile}
     * (PEM; the key readable by its owner only, as PostgreSQL demands).
     */
    public static LocalPostgres startEphemeralTls(Path certFile, Path keyFile) {
        return startEmbedded(EmbeddedPostgres.builder()
                .setServerConfig("ssl", "on")
                .setServerConfig("ssl_cert_file", certFile.toAbsolutePath().toString())
                .setServerConfig("ssl_key_file", keyFile.toAbsolutePath().toString()));
    }

    /** Uses the server at {@code url} when given, else starts an ephemeral embedded one. */
    public static LocalPostgres externalOrEphemeral(Optional<String> url) {
        return url.filter(u -> !u.isBlank())
                .map(u -> new LocalPostgres(null, Server.parse(u)))
                .orElseGet(LocalPostgres::startEphemeral);
    }

    private static LocalPostgres startEmbedded(EmbeddedPostgres.Builder builder) {
        try {
            EmbeddedPostgres pg = builder
                    .setServerConfig("max_connections", "200")
                    .start();
            return new LocalPostgres(pg, new Server("localhost", pg.getPort(), "postgres", "postgres", ""));
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL", e);
        }
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    public int port() {
        return server.port();
    }

    /** The server's default database. */
    public Database defaultDatabase() {
        return new Database(server, server.database());
    }

    /** Creates a new, empty database. */
    public Database createDatabase(String name) {
        execute(defaultDatabase(), "CREATE DATABASE " + name);
        return new Database(server, name);
    }

    /** Creates {@code name} unless it exists. */
    public Database ensureDatabase(String name) {
        Database admin = defaultDatabase();
        try (Connection c = admin.connect();
                var rs = c.createStatement().executeQuery(
                        "SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
            if (!rs.next()) {
                c.createStatement().execute("CREATE DATABASE " + name);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name, e);
        }
        return new Database(server, name);
    }

    public void dropDatabase(String name) {
        execute(defaultDatabase(), "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private static void execute(Database db, String sql) {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("could not run: " + sql, e);
        }
    }

    @Override
    public void close() {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Where a server is and how to log in. */
    public record Server(String host, int port, String database, String user, String password) {

        /** Parses {@code postgresql://user:password@host:port/db}; no message quotes the URL (it holds a password). */
        static Server parse(String url) {
            URI uri;
            try {
                uri = new URI(url.replaceFirst("^jdbc:", "").replaceFirst("^postgres:", "postgresql:"));
            } catch (URISyntaxException e) {
                uri = null;
            }
            if (uri == null || uri.getHost() == null || !"postgresql".equals(uri.getScheme())) {
                throw new IllegalArgumentException("the database URL is not of the form postgresql://user:password@host:port/db");
            }
            String[] userInfo = Optional.ofNullable(uri.getUserInfo()).orElse("postgres").split(":", 2);
            String database = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
            return new Server(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), database,
                    userInfo[0], userInfo.length > 1 ? userInfo[1] : "");
        }
    }

    /** One database on a server. */
    public record Database(Server server, String name) {

        /** The same database reached through another port on this host (a {@link TcpProxy}). */
        public Database viaPort(int port) {
            return new Database(new Server("localhost", port, server.database(), server.user(), server.password()), name);
        }

        public String jdbcUrl() {
            return "jdbc:postgresql://" + server.host() + ":" + server.port() + "/" + name;
        }

        public String reactiveUrl() {
            return "postgresql://" + server.host() + ":" + server.port() + "/" + name;
        }

        public Connection connect() throws SQLException {
            return DriverManager.getConnection(jdbcUrl(), server.user(), server.password());
        }

        /** The Quarkus datasource configuration for this database. */
        public Map<String, String> quarkusConfig() {
            return Map.of(
                    "quarkus.datasource.jdbc.url", jdbcUrl(),
                    "quarkus.datasource.reactive.url", reactiveUrl(),
                    "quarkus.datasource.username", server.user(),
                    "quarkus.datasource.password", server.password());
        }
    }
}
