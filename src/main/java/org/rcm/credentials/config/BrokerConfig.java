package org.rcm.credentials.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The service's own settings, {@code rcm.*}. Quarkus' settings stay under {@code quarkus.*}. */
@ConfigMapping(prefix = "rcm")
public interface BrokerConfig {

    /** Deployment environment: the {environment} of every secret name /rcm/{environment}/{tenant}/{portal}. */
    String environment();

    /** The AWS account and region that hold the secrets. */
    Aws aws();

    /** How client certificates map to tenants and roles. */
    Identity identity();

    /** Per-tenant allowed client address ranges (the seed's "access from unexpected IP ranges"). */
    Network network();

    /** How access-log rows are written. */
    Audit audit();

    /** How credentials are rotated. */
    Rotation rotation();

    /** How legacy {@code config.credentials} are migrated and purged. */
    Legacy legacy();

    /** What the gRPC server offers besides the broker's services. */
    Grpc grpc();

    /** How the service reaches Postgres, besides Quarkus' datasource settings. */
    Database database();

    /**
     * Bound on one Postgres round trip: reading, registering or changing an endpoint (a hung
     * database fails calls UNAVAILABLE), and writing one audit batch (a hung write counts as
     * failed and frees its writer slot).
     */
    @WithDefault("2s")
    Duration databaseTimeout();

    /** How long the first answer to a request with an idempotency key is kept for retries. */
    @WithDefault("24h")
    Duration idempotencyTtl();

    /** How requests with an idempotency key are recognised on retry. */
    Idempotency idempotency();

    interface Aws {
        /** ARN partition: aws, aws-cn or aws-us-gov. */
        @WithDefault("aws")
        String partition();

        /** Region of the SSM and Secrets Manager endpoints. */
        @WithDefault("us-east-1")
        String region();

        /** Twelve-digit account id that owns the secrets. */
        String accountId();

        /** Attempts per AWS call, the first included (SDK retries with exponential backoff and full jitter). */
        @WithDefault("3")
        int maxAttempts();

        /** Base delay of the exponential backoff between attempts. */
        @WithDefault("50ms")
        Duration retryBaseDelay();

        /** Longest delay between two attempts. */
        @WithDefault("1s")
        Duration retryMaxDelay();

        /** Bound on one AWS call, retries included. */
        @WithDefault("5s")
        Duration callTimeout();

        /** Bound on one attempt of an AWS call. */
        @WithDefault("2s")
        Duration attemptTimeout();
    }

    interface Identity {
        /**
         * Trust domain of client SPIFFE ids: spiffe://{trust-domain}/tenant/{tenant}/{role}.
         * Required outside dev and test ({@code RCM_IDENTITY_TRUST_DOMAIN}): a default would let
         * certificates meant for another installation in.
         */
        String trustDomain();

        /** Mappings tried in order until one maps the certificate: spiffe, subject-cn, table. */
        @WithDefault("spiffe")
        List<IdentityMapping> mappings();

        /**
         * For the subject-cn mapping: a regular expression with named groups {@code tenant} and
         * {@code role}, matched against the whole subject CN, e.g. {@code (?<tenant>[^.]+)\.(?<role>worker|admin)}.
         */
        Optional<String> subjectCnPattern();

        /**
         * Certificate revocation lists of the client CA (PEM or DER files,
         * {@code RCM_IDENTITY_CRL_FILES}, comma-separated): each must be signed by a CA of the
         * client trust store; a certificate listed is refused on every call, whatever its
         * tenant. Reloaded when a file changes ({@link #crlCheckPeriod()}); a file that stops
         * being valid keeps the previous lists in force.
         */
        Optional<List<Path>> crlFiles();

        /** How often the CRL files are checked for changes. */
        @WithDefault("60s")
        Duration crlCheckPeriod();
    }

    interface Network {
        /** Tenants with address ranges; tenants not listed may call from anywhere. */
        Map<String, TenantNetwork> tenants();
    }

    interface TenantNetwork {
        /** Allowed client ranges in CIDR notation, IPv4 or IPv6, e.g. {@code 10.20.0.0/16}. */
        List<String> allowedCidrs();

        /** What happens to a call from outside the ranges: refused ({@code deny}) or served and flagged ({@code flag}). */
        @WithDefault("deny")
        UnexpectedAddress onUnexpected();
    }

    /** The reaction to a call from outside a tenant's allowed ranges. Both are audited and counted. */
    enum UnexpectedAddress {
        /** Refused with PERMISSION_DENIED. */
        DENY,
        /** Served, with {@code unexpected_ip} set on its audit row and a warning logged. */
        FLAG
    }

    interface Audit {
        /** fail-closed: a response waits for its audit row; best-effort: answers first, writes after. */
        @WithDefault("fail-closed")
        AuditMode mode();

        /** Most rows in one multi-row INSERT; 1 writes each row in its own statement. */
        @WithDefault("256")
        int batchSize();

        /**
         * How long a partly filled batch may wait for more rows. 0 sends as soon as a writer
         * slot is free, so batches grow with load (adaptive group commit).
         */
        @WithDefault("0ms")
        Duration maxBatchDelay();

        /** Batches being written at once. */
        @WithDefault("2")
        int maxInFlightBatches();

        /**
         * Rows waiting to be written (new, retried after a failure, or waiting for a hung write)
         * before new calls are refused (fail-closed) or rows dropped (best-effort).
         */
        @WithDefault("20000")
        int queueCapacity();

        /**
         * In fail-closed mode, how long a call waits for its row to commit before it fails
         * UNAVAILABLE; the row stays queued and is still written.
         */
        @WithDefault("2s")
        Duration timeout();

        /** When failed retrievals and logins of a tenant are a burst. */
        FailureBurst failureBurst();
    }

    interface FailureBurst {
        /** More failures than this in the window are a burst (the seed: more than 5 in 5 minutes). */
        @WithDefault("5")
        int threshold();

        @WithDefault("5m")
        Duration window();
    }

    interface Idempotency {
        /**
         * Base64 of at least 32 random bytes ({@code openssl rand -base64 32}), the same on every
         * replica: the HMAC-SHA256 key of the request fingerprints kept with idempotency records.
         * Never stored in the database; required (start-up fails without it), with throwaway
         * values only in the dev and test profiles.
         */
        Optional<String> key();
    }

    interface Database {
        /**
         * Allows a database connection without verified TLS ({@link DatabaseTlsPolicy}): dev,
         * test and the local run only.
         */
        @WithDefault("false")
        boolean allowPlaintext();
    }

    interface Grpc {
        /**
         * Server reflection (grpcurl's {@code list} and {@code describe}) for certificates mapped
         * to a tenant. Off unless set: it tells a caller every method and message of the server.
         */
        @WithDefault("false")
        boolean reflection();
    }

    interface Legacy {
        /**
         * Portals that one MigrateLegacyCredentials or PurgeLegacyCredentials call works on at
         * once (each a claim, a write and a read-back): enough to hide AWS's latency, few enough
         * to stay within SSM's and Secrets Manager's request rates next to live traffic.
         */
        @WithDefault("4")
        int concurrency();
    }

    interface Rotation {
        /**
         * How long a change (store, rotate or delete) may hold a portal. A change that has not
         * finished by then (its process died, say) is resolved by the next Get, Store or Rotate
         * (a Delete takes it over). Keep it above the longest a change can take: four AWS calls
         * ({@code rcm.aws.call-timeout}) and four database steps ({@code rcm.database-timeout}),
         * 28 s with the defaults.
         */
        @WithDefault("60s")
        Duration lease();

        /** How long a worker-driven rotation (BeginRotation) may take before the job fails it. */
        @WithDefault("15m")
        Duration workerExpiry();

        /** How often the rotation job runs (expiries, reminders, escalations, e-mails). */
        @WithDefault("60s")
        Duration jobInterval();

        /** How long after its due date a rotation not done is escalated as overdue. */
        @WithDefault("7d")
        Duration overdueAfter();
    }

    /** E-mail notifications of the rotation workflow; off unless an SMTP host is set. */
    Notifications notifications();

    /** What failed logins reported by workers do. */
    Login login();

    interface Login {
        /**
         * Consecutive failed logins of one version that pause a credential; keep it below the
         * portals' lock-out thresholds ({@code RCM_LOGIN_PAUSE_AFTER}).
         */
        @WithDefault("3")
        int pauseAfter();

        /** Per tenant: {@code rcm.login.tenants.<tenant>.pause-after}. */
        Map<String, TenantLogin> tenants();
    }

    interface TenantLogin {
        int pauseAfter();
    }

    interface Notifications {
        /** The SMTP server ({@code RCM_SMTP_HOST}; on AWS the SES SMTP interface); unset: no e-mail. */
        Optional<String> smtpHost();
    }

    /** When a call's audit row must be durable. */
    enum AuditMode {
        /** The response waits until its row has committed; no row, no credential. */
        FAIL_CLOSED,
        /** The response does not wait; rows queued at a crash are lost. */
        BEST_EFFORT
    }

    /** Ways to map a client certificate to a tenant and role. */
    enum IdentityMapping {
        /** URI SAN spiffe://{trust-domain}/tenant/{tenant}/{role}. */
        SPIFFE,
        /** Subject CN matched by {@code rcm.identity.subject-cn-pattern}. */
        SUBJECT_CN,
        /** The {@code client_certificate} table, by SHA-256 fingerprint of the certificate. */
        TABLE
    }
}
