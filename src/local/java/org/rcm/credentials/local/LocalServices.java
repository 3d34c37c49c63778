package org.rcm.credentials.local;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.rcm.credentials.local.aws.LocalAwsEndpoint;

/**
 * Everything a broker needs around it, started on this machine: PostgreSQL (embedded or
 * external), the local AWS endpoint, a development PKI and, optionally, an SMTP sink. Used by the tests, the local run
 * and the benchmark.
 */
public final class LocalServices implements AutoCloseable {

    /** Account id of the local AWS endpoint's ARNs; the broker is configured with the same. */
    public static final String ACCOUNT_ID = "000000000000";
    public static final String REGION = "us-east-1";
    /**
     * The broker's {@code rcm.idempotency.key} on this machine (base64 of 37 bytes): a throwaway
     * key, public by being here, never one for a real deployment. Fixed, so that retries are
     * recognised across restarts of the local run and across the replicas of the tests.
     */
    public static final String IDEMPOTENCY_KEY = "bG9jYWwtb25seS1pZGVtcG90ZW5jeS1rZXktbm90LXNlY3JldA==";

    private final LocalPostgres postgres;
    private final LocalPostgres.Database database;
    private final LocalAwsEndpoint aws;
    private final LocalPki pki;
    private final LocalMail mail;

    public LocalServices(LocalPostgres postgres, LocalPostgres.Database database, LocalAwsEndpoint aws, LocalPki pki) {
        this(postgres, database, aws, pki, null);
    }

    /** @param mail where the broker sends its e-mails; null: no e-mail */
    public LocalServices(LocalPostgres postgres, LocalPostgres.Database database, LocalAwsEndpoint aws, LocalPki pki,
            LocalMail mail) {
        this.postgres = postgres;
        this.database = database;
        this.aws = aws;
        this.pki = pki;
        this.mail = mail;
    }

    public LocalPostgres postgres() {
        return postgres;
    }

    public LocalPostgres.Database database() {
        return database;
    }

    public LocalAwsEndpoint aws() {
        return aws;
    }

    public LocalPki pki() {
        return pki;
    }

    /** The broker's configuration for these services, as Quarkus configuration keys. */
    public Map<String, String> brokerConfig() {
        Map<String, String> config = new HashMap<>(database.quarkusConfig());
        config.putAll(pki.serverConfig());
        for (String client : new String[] {"ssm", "secretsmanager"}) {
            config.put("quarkus." + client + ".endpoint-override", aws.uri().toString());
            config.put("quarkus." + client + ".aws.credentials.type", "static");
            config.put("quarkus." + client + ".aws.credentials.static-provider.access-key-id", "local");
            config.put("quarkus." + client + ".aws.credentials.static-provider.secret-access-key", "local");
        }
        // STS of the tenant sessions, when a tenant role is configured (rcm.aws.tenant-role.*)
        config.put("rcm.aws.tenant-role.sts-endpoint-override", aws.uri().toString());
        config.put("rcm.aws.region", REGION);
        config.put("rcm.aws.account-id", ACCOUNT_ID);
        config.put("rcm.idempotency.key", IDEMPOTENCY_KEY);
        config.put("rcm.grpc.reflection", "true"); // grpcurl list / describe against a local broker
        config.put("quarkus.log.console.json.enabled", "false"); // JSON lines are for production's log stores
        // a local database on this machine, in plain TCP (DatabaseTlsPolicy requires verified TLS elsewhere)
        config.put("quarkus.datasource.reactive.postgresql.ssl-mode", "disable");
        config.put("rcm.database.allow-plaintext", "true");
        if (mail != null) {
            config.putAll(mail.brokerConfig());
        }
        return config;
    }

    /** An environment variable's value, if set and not blank. */
    public static Optional<String> env(String name) {
        return Optional.ofNullable(System.getenv(name)).filter(v -> !v.isBlank());
    }

    /** A folder under the project's {@code target/}. */
    public static Path targetDir(String name) {
        return Path.of("target", name).toAbsolutePath();
    }

    @Override
    public void close() {
        if (mail != null) {
            mail.close();
        }
        aws.close();
        postgres.close();
    }
}
