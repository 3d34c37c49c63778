package org.rcm.credentials.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.rcm.credentials.local.aws.LocalAwsEndpoint;

/**
 * README's first command ({@code ./mvnw -Plocal}): runs the packaged broker on this machine
 * with everything it needs around it, like {@code vault server -dev}, but persistent:
 *
 * <ul>
 *   <li>PostgreSQL: embedded, data in {@code target/local/pgdata} (kept across restarts), or
 *       the server in {@code RCM_DB_URL};
 *   <li>the local AWS endpoint, its state in {@code target/local/aws-state.json};
 *   <li>a development CA, a server certificate and client certificates for the tenant
 *       {@code demo} (admin and worker) in {@code target/local/pki}, created once.
 * </ul>
 * The broker itself runs as {@code java -jar target/quarkus-app/quarkus-run.jar} in a child
 * process; stopping this program (Ctrl-C) stops it and the embedded services.
 */
public final class LocalRun {

    static final String TENANT = "demo";
    static final String TRUST_DOMAIN = "rcm.local";

    private LocalRun() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(LocalServices.env("RCM_LOCAL_DIR").orElse("target/local")).toAbsolutePath();
        int grpcPort = Integer.parseInt(LocalServices.env("RCM_GRPC_PORT").orElse("8443"));
        int managementPort = Integer.parseInt(LocalServices.env("RCM_MANAGEMENT_PORT").orElse("9000"));
        Files.createDirectories(home);

        LocalPostgres postgres = LocalServices.env("RCM_DB_URL")
                .map(url -> LocalPostgres.externalOrEphemeral(Optional.of(url)))
                .orElseGet(() -> LocalPostgres.startPersistent(home.resolve("pgdata"),
                        Integer.parseInt(LocalServices.env("RCM_LOCAL_PG_PORT").orElse("15432"))));
        LocalPostgres.Database database = postgres.isEmbedded() ? postgres.ensureDatabase("rcm") : postgres.defaultDatabase();
        LocalAwsEndpoint aws = LocalAwsEndpoint.start(LocalAwsEndpoint.Options.defaults()
                .withPort(Integer.parseInt(LocalServices.env("RCM_LOCAL_AWS_PORT").orElse("4566")))
                .withRegion(LocalServices.REGION)
                .withAccountId(LocalServices.ACCOUNT_ID)
                .withStateFile(home.resolve("aws-state.json")));
        LocalPki pki = pki(home.resolve("pki"));
        LocalMail mail = LocalMail.start();
        LocalServices services = new LocalServices(postgres, database, aws, pki, mail);

        Map<String, String> config = new TreeMap<>(services.brokerConfig());
        config.put("rcm.environment", "local");

        LocalBroker broker = LocalBroker.start(config, grpcPort, managementPort, null, List.of());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            services.close();
        }, "local-run-stop"));
        printBanner(grpcPort, managementPort, database, postgres, pki, mail);
        System.exit(broker.waitFor());
    }

    /** Reuses the PKI of an earlier run, so that client certificates handed out stay valid. */
    private static LocalPki pki(Path dir) {
        if (Files.exists(dir.resolve("server.crt"))) {
            return LocalPki.load(dir, TRUST_DOMAIN);
        }
        LocalPki pki = LocalPki.create(dir, TRUST_DOMAIN);
        pki.client(TENANT + "-admin", TENANT, "admin");
        pki.client(TENANT + "-worker", TENANT, "worker");
        return pki;
    }

    private static void printBanner(int grpcPort, int managementPort, LocalPostgres.Database database,
            LocalPostgres postgres, LocalPki pki, LocalMail mail) {
        String psql = postgres.isEmbedded()
                ? "psql -h localhost -p " + database.server().port() + " -U postgres " + database.name()
                : "(your database)";
        System.out.println("""

                ==================================================================
                 RCM credential broker, local run
                 gRPC (mTLS):     localhost:%d
                 health/metrics:  http://localhost:%d/q/health  /q/metrics
                 database:        %s
                 certificates:    %s
                                  ca.crt, %s-admin.crt/.key, %s-worker.crt/.key
                 tenant:          %s   (spiffe://%s/tenant/%s/{admin,worker})
                 e-mails:         SMTP sink on localhost:%d; read them at %s/_mail/messages
                ==================================================================
                """.formatted(grpcPort, managementPort, psql, pki.dir(), TENANT, TENANT, TENANT, TRUST_DOMAIN, TENANT,
                mail.smtpPort(), mail.uri()));
    }
}
