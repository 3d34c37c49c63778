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

    private static final String OWNER_SUFFIX = "_owner";

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

    /** Creates a new, empty database with the service's two logins ({@link #withRoles}). */
    public Database createDatabase(String name) {
        execute(defaultDatabase(), "CREATE DATABASE " + name);
        return withRoles(new Database(server, name));
    }

    /**
     * Creates {@code name} with the service's two logins unless it exists. An existing database
     * made before the logins were separated keeps its single login (the service warns about it).
     */
    public Database ensureDatabase(String name) {
        Database admin = defaultDatabase();
        try (Connection c = admin.connect();
                var rs = c.createStatement().executeQuery(
                        "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '" + name + "'")) {
            if (!rs.next()) {
                return createDatabase(name);
            }
            Database existing = new Database(server, name);
            return rs.getString(1).equals(name + OWNER_SUFFIX) ? withRoles(existing) : existing;
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name, e);
        }
    }

    /**
     * The service's two logins on {@code database}, created unless they exist (least privilege,
     * as in production): {@code <name>_owner} owns the database and its schema and runs the
     * migrations; {@code <name>_app}, the runtime login, gets only what migration V15 grants.
     * Their passwords are throw-away local ones.
     */
    private static Database withRoles(Database database) {
        Login owner = new Login(database.name() + OWNER_SUFFIX, "local-owner");
        Login runtime = new Login(database.name() + "_app", "local-app");
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            for (Login login : new Login[] {owner, runtime}) {
                s.execute("DO $$ BEGIN CREATE ROLE " + login.user() + " LOGIN PASSWORD '" + login.password()
                        + "'; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
            }
            s.execute("ALTER DATABASE " + database.name() + " OWNER TO " + owner.user());
            s.execute("ALTER SCHEMA public OWNER TO " + owner.user());
            s.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
            s.execute("REVOKE TEMPORARY ON DATABASE " + database.name() + " FROM PUBLIC");
        } catch (SQLException e) {
            throw new IllegalStateException("could not create the logins of database " + database.name(), e);
        }
        return new Database(database.server(), database.name(), runtime, owner);
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

    /** A login: user name and password. */
    public record Login(String user, String password) {
    }

    /**
     * One database on a server. Test and tool code connects with the server's (administrator)
     * login; the service runs as {@code runtime} and migrates as {@code owner}.
     */
    public record Database(Server server, String name, Login runtime, Login owner) {

        /** A database whose service uses the server's own login for everything (a quick start). */
        public Database(Server server, String name) {
            this(server, name, new Login(server.user(), server.password()), new Login(server.user(), server.password()));
        }

        /** The same database reached through another port on this host (a {@link TcpProxy}). */
        public Database viaPort(int port) {
            return new Database(new Server("localhost", port, server.database(), server.user(), server.password()), name,
                    runtime, owner);
        }

        public String jdbcUrl() {
            return "jdbc:postgresql://" + server.host() + ":" + server.port() + "/" + name;
        }

        public String reactiveUrl() {
            return "postgresql://" + server.host() + ":" + server.port() + "/" + name;
        }

        /** A connection with the server's administrator login. */
        public Connection connect() throws SQLException {
            return DriverManager.getConnection(jdbcUrl(), server.user(), server.password());
        }

        /** A connection as {@code login}. */
        public Connection connect(Login login) throws SQLException {
            return DriverManager.getConnection(jdbcUrl(), login.user(), login.password());
        }

        /** The Quarkus datasource configuration for this database: the runtime login, and the owner for Flyway. */
        public Map<String, String> quarkusConfig() {
            return Map.of(
                    "quarkus.datasource.jdbc.url", jdbcUrl(),
                    "quarkus.datasource.reactive.url", reactiveUrl(),
                    "quarkus.datasource.username", runtime.user(),
                    "quarkus.datasource.password", runtime.password(),
                    "quarkus.flyway.username", owner.user(),
                    "quarkus.flyway.password", owner.password());
        }
    }
}
