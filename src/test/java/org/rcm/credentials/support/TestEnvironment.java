package org.rcm.credentials.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.rcm.credentials.local.LocalMail;
import org.rcm.credentials.local.LocalMailbox;
import org.rcm.credentials.local.LocalPki;
import org.rcm.credentials.local.LocalPostgres;
import org.rcm.credentials.local.LocalServices;
import org.rcm.credentials.local.TcpProxy;
import org.rcm.credentials.local.aws.LocalAwsEndpoint;

/**
 * What the tests run against, started once per JVM: a real PostgreSQL (embedded, or the
 * server in {@code RCM_TEST_DB_URL}) with a fresh database, reached by the broker through a
 * {@link TcpProxy} that tests can cut; the local AWS endpoint; and a test PKI.
 *
 * <p>Quarkus may load test classes in several class loaders, so the running services are
 * described by system properties (plain strings), never shared as objects; tests drive the
 * AWS endpoint and the proxy through their HTTP control APIs ({@link #awsUri()},
 * {@link #databaseProxy()}), which work from any class loader.
 */
public final class TestEnvironment {

    public static final String TRUST_DOMAIN = "test.rcm";
    /** The {environment} of the tests' secret names, /rcm/dev/{tenant}/{portal}. */
    public static final String ENVIRONMENT = "dev";
    private static final String PREFIX = "brokertest.";

    private TestEnvironment() {
    }

    /** The broker's configuration for the test services, starting them on first use. */
    public static synchronized Map<String, String> brokerConfig() {
        if (System.getProperty(PREFIX + "started") == null) {
            start();
        }
        Map<String, String> config = new HashMap<>();
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith(PREFIX + "config."))
                .forEach(k -> config.put(k.substring((PREFIX + "config.").length()), System.getProperty(k)));
        return config;
    }

    /** The test database, reached directly (not through the proxy). */
    public static LocalPostgres.Database database() {
        brokerConfig();
        return new LocalPostgres.Database(new LocalPostgres.Server(
                System.getProperty(PREFIX + "db.host"), Integer.getInteger(PREFIX + "db.port"),
                "postgres", System.getProperty(PREFIX + "db.user"), System.getProperty(PREFIX + "db.password")),
                System.getProperty(PREFIX + "db.name"), login("runtime"), login("owner"));
    }

    /** The local AWS endpoint's control API. */
    public static URI awsUri() {
        brokerConfig();
        return URI.create(System.getProperty(PREFIX + "aws.uri"));
    }

    public static Path pkiDir() {
        brokerConfig();
        return Path.of(System.getProperty(PREFIX + "pki.dir"));
    }

    /** Cuts or restores the broker's connections to PostgreSQL. */
    public static DatabaseProxy databaseProxy() {
        brokerConfig();
        return new DatabaseProxy();
    }

    /** The mails the broker under test has sent, read from the local SMTP sink. */
    public static LocalMailbox mailbox() {
        brokerConfig();
        return new LocalMailbox(URI.create(System.getProperty(PREFIX + "mail.uri")));
    }

    /** The client CA's CRL file that the broker under test reads. */
    public static Path crlFile() {
        return crlFile(pkiDir());
    }

    private static Path crlFile(Path pkiDir) {
        return pkiDir.resolve("clients.crl");
    }

    /** Handle on the database proxy that works from any class loader (through its control API). */
    public static final class DatabaseProxy {
        private final URI control = URI.create(System.getProperty(PREFIX + "proxy.control"));

        public void cut() {
            TcpProxy.control(control, "cut");
        }

        /** Keeps the broker's connections open but answers nothing: a database that hangs. */
        public void stall() {
            TcpProxy.control(control, "stall");
        }

        public void restore() {
            TcpProxy.control(control, "restore");
        }
    }

    private static LocalPostgres.Login login(String which) {
        return new LocalPostgres.Login(System.getProperty(PREFIX + "db." + which + ".user"),
                System.getProperty(PREFIX + "db." + which + ".password"));
    }

    private static void setLogin(String which, LocalPostgres.Login login) {
        System.setProperty(PREFIX + "db." + which + ".user", login.user());
        System.setProperty(PREFIX + "db." + which + ".password", login.password());
    }

    private static void start() {
        LocalPostgres postgres = LocalPostgres.externalOrEphemeral(LocalServices.env("RCM_TEST_DB_URL"));
        String name = "rcm_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        LocalPostgres.Database database = postgres.createDatabase(name);
        TcpProxy proxy = TcpProxy.start(database.server().host(), database.server().port());
        LocalAwsEndpoint aws = LocalAwsEndpoint.start(LocalAwsEndpoint.Options.defaults()
                .withRegion(LocalServices.REGION)
                .withAccountId(LocalServices.ACCOUNT_ID));
        Path pkiDir = LocalServices.targetDir("test-pki");
        deleteRecursively(pkiDir);
        LocalPki pki = LocalPki.create(pkiDir, TRUST_DOMAIN);
        TestIdentity.issueAll(pki);

        LocalMail mail = LocalMail.start();
        LocalServices services = new LocalServices(postgres, database.viaPort(proxy.port()), aws, pki, mail);
        services.brokerConfig().forEach((k, v) -> System.setProperty(PREFIX + "config." + k, v));
        System.setProperty(PREFIX + "config.rcm.environment", ENVIRONMENT);
        // the client CA publishes a CRL (empty at first), checked for changes often
        System.setProperty(PREFIX + "config.rcm.identity.crl-files",
                pki.ca().writeCrl(crlFile(pkiDir), List.of(), null).toString());
        System.setProperty(PREFIX + "config.rcm.identity.crl-check-period", "200ms");
        System.setProperty(PREFIX + "db.host", database.server().host());
        System.setProperty(PREFIX + "db.port", String.valueOf(database.server().port()));
        System.setProperty(PREFIX + "db.user", database.server().user());
        System.setProperty(PREFIX + "db.password", database.server().password());
        System.setProperty(PREFIX + "db.name", name);
        setLogin("runtime", database.runtime());
        setLogin("owner", database.owner());
        System.setProperty(PREFIX + "aws.uri", aws.uri().toString());
        System.setProperty(PREFIX + "mail.uri", mail.uri().toString());
        System.setProperty(PREFIX + "pki.dir", pkiDir.toString());
        System.setProperty(PREFIX + "proxy.control", proxy.controlUri().toString());
        System.setProperty(PREFIX + "started", "true");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            proxy.close();
            if (!postgres.isEmbedded()) {
                postgres.dropDatabase(name);
            }
            services.close();
        }, "test-environment-stop"));
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
