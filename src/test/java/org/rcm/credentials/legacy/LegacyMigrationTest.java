package org.rcm.credentials.legacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Channel;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.CredentialSource;
import org.rcm.credentials.api.v1.Credentials;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.api.v1.GetCredentialsResponse;
import org.rcm.credentials.api.v1.MigrateLegacyCredentialsRequest;
import org.rcm.credentials.api.v1.MigrateLegacyCredentialsResponse;
import org.rcm.credentials.api.v1.PurgeLegacyCredentialsRequest;
import org.rcm.credentials.api.v1.PurgeLegacyCredentialsResponse;
import org.rcm.credentials.api.v1.SecretBackend;
import org.rcm.credentials.local.aws.LocalAwsControl;
import org.rcm.credentials.support.AuditLog;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Db;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestGrpc;

/**
 * MigrateLegacyCredentials and PurgeLegacyCredentials against a real PostgreSQL and the AWS
 * SDK over HTTP to the local endpoint. Each test has tenants of its own, so that tenant-wide
 * runs see only its portals.
 */
@QuarkusTest
class LegacyMigrationTest {

    private static final String PUT_PARAMETER = "AmazonSSM.PutParameter";
    private static final String GET_PARAMETER = "AmazonSSM.GetParameter";

    private final LocalAwsControl aws = new LocalAwsControl(TestEnvironment.awsUri());
    /** In every legacy password of a test, so that a scan of the database finds any plaintext left. */
    private final String marker = "plaintext-" + UUID.randomUUID();

    @AfterEach
    void resetFaults() {
        aws.resetFaults();
    }

    @Test
    void thousandPortalsWithFaultsAreMigratedByTwoRunsAndPurged() throws SQLException {
        String tenant = tenant("thousand");
        Channel admin = TestGrpc.channel(tenant, "admin");
        List<String> portals = IntStream.range(0, 1000).mapToObj(i -> String.format("portal-%04d", i)).toList();
        inParallel(portals, portal -> Broker.register(admin, portal, legacyConfig(portal)));
        Map<String, Credentials> before = credentialsOf(tenant, portals);
        // 5 % of the portals fail on every attempt (throttled writes, 5xx read-backs); besides,
        // one call in twenty fails once, which the SDK's retries ride out
        Set<String> doomed = new TreeSet<>();
        for (int i = 7; i < 1000; i += 20) {
            aws.onResource(i % 40 == 7 ? PUT_PARAMETER : GET_PARAMETER, "/" + portals.get(i), i % 40 == 7 ? "throttle" : "fail",
                    1000);
            doomed.add(portals.get(i));
        }
        for (int i = 0; i < 60; i++) {
            aws.passNext(PUT_PARAMETER, 19);
            aws.throttleNext(PUT_PARAMETER, 1);
            aws.passNext(GET_PARAMETER, 19);
            aws.failNext(GET_PARAMETER, 1);
        }

        MigrateLegacyCredentialsResponse first = migrate(admin, MigrateLegacyCredentialsRequest.getDefaultInstance());

        assertEquals(950, first.getMigrated());
        assertEquals(50, first.getFailed());
        assertEquals(doomed, new TreeSet<>(first.getFailedPortalIdsList()));
        assertEquals(0, first.getSkipped());
        assertEquals("", first.getLastPortalId());
        assertEquals(50, Db.count("SELECT count(*) FROM integration_endpoint WHERE tenant_id = ? AND secret_arn IS NULL",
                tenant), "a failed portal is left as it was");

        aws.resetFaults();
        MigrateLegacyCredentialsResponse second = migrate(admin, MigrateLegacyCredentialsRequest.getDefaultInstance());

        assertEquals(50, second.getMigrated());
        assertEquals(0, second.getFailed());
        assertEquals(950, second.getSkipped());
        Map<String, Credentials> migrated = credentialsOf(tenant, portals);
        assertEquals(before, migrated, "every portal reads the same credentials");
        assertEquals(1000, Db.count("SELECT count(*) FROM integration_endpoint WHERE tenant_id = ?"
                + " AND legacy_migration = 'migrated_verified' AND secret_arn IS NOT NULL", tenant));

        PurgeLegacyCredentialsResponse purged = Broker.admin(admin)
                .purgeLegacyCredentials(PurgeLegacyCredentialsRequest.getDefaultInstance());

        assertEquals(1000, purged.getPurged());
        assertEquals(0, purged.getKeptUnverified());
        assertEquals(0, plaintextCopies(tenant));
        assertEquals(1000, Db.count("SELECT count(*) FROM integration_endpoint WHERE tenant_id = ?"
                + " AND config = '{\"region\": \"east\"}'::jsonb", tenant), "the other keys of config stay");
        assertEquals(before, credentialsOf(tenant, portals));
        assertEquals(Map.of(), tablesContaining(marker), "no plaintext password anywhere in the database");
        assertEquals(950 + 50 + 1000, countMigrateRows(tenant, true), "a row per portal migrated, and per portal purged");
        assertEquals(50, countMigrateRows(tenant, false), "a row per portal that failed");
        assertEquals(3, AuditLog.rows(tenant, null).size(), "a row per call");
    }

    @Test
    void concurrentMigrationsWriteEachPortalOnce() throws Exception {
        String tenant = tenant("concurrent");
        Channel admin = TestGrpc.channel(tenant, "admin");
        List<String> portals = IntStream.range(0, 40).mapToObj(i -> "portal-" + i).toList();
        portals.forEach(portal -> Broker.register(admin, portal, legacyConfig(portal)));
        aws.latency(PUT_PARAMETER, Duration.ofMillis(20)); // so that the two runs overlap
        aws.resetCalls();

        CompletableFuture<MigrateLegacyCredentialsResponse> one = CompletableFuture.supplyAsync(
                () -> migrate(admin, MigrateLegacyCredentialsRequest.getDefaultInstance()));
        CompletableFuture<MigrateLegacyCredentialsResponse> two = CompletableFuture.supplyAsync(
                () -> migrate(admin, MigrateLegacyCredentialsRequest.getDefaultInstance()));

        assertEquals(40, one.get().getMigrated() + two.get().getMigrated());
        assertEquals(0, one.get().getFailed() + two.get().getFailed());
        assertEquals(40, aws.calls(PUT_PARAMETER), "one write per portal");
        assertEquals(40, Db.count("SELECT count(*) FROM integration_endpoint WHERE tenant_id = ?"
                + " AND legacy_migration = 'migrated_verified' AND secret_version = 1", tenant));
        assertThat(credentialsOf(tenant, portals).values()).allMatch(c -> c.getPassword().startsWith(marker));
    }

    @Test
    void dryRunsChangeNothing() throws SQLException {
        String tenant = tenant("dry-run");
        Channel admin = TestGrpc.channel(tenant, "admin");
        List<String> portals = IntStream.range(0, 10).mapToObj(i -> "portal-" + i).toList();
        portals.forEach(portal -> Broker.register(admin, portal, legacyConfig(portal)));
        Broker.register(admin, "no-legacy", "");
        List<Map<String, Object>> rows = endpointRows(tenant);
        aws.resetCalls();

        MigrateLegacyCredentialsResponse dryRun = migrate(admin, MigrateLegacyCredentialsRequest.newBuilder()
                .setDryRun(true).build());

        assertEquals(10, dryRun.getMigrated());
        assertEquals(1, dryRun.getSkipped());
        assertEquals(rows, endpointRows(tenant));
        assertEquals(Map.of(), aws.calls());

        migrate(admin, MigrateLegacyCredentialsRequest.getDefaultInstance());
        rows = endpointRows(tenant);
        PurgeLegacyCredentialsResponse dryPurge = Broker.admin(admin).purgeLegacyCredentials(
                PurgeLegacyCredentialsRequest.newBuilder().setDryRun(true).build());

        assertEquals(10, dryPurge.getPurged());
        assertEquals(rows, endpointRows(tenant));
        assertEquals(10, plaintextCopies(tenant));
    }

    @Test
    void anotherTenantsPortalsAreNeverTouched() throws SQLException {
        String tenant = tenant("mine");
        String other = tenant("other");
        Channel admin = TestGrpc.channel(tenant, "admin");
        Channel otherAdmin = TestGrpc.channel(other, "admin");
        Broker.register(admin, "shared-name", legacyConfig("mine"));
        Broker.register(otherAdmin, "shared-name", legacyConfig("other"));
        Broker.register(otherAdmin, "other-only", legacyConfig("other-only"));
        List<Map<String, Object>> otherRows = endpointRows(other);

        assertEquals(1, migrate(admin, MigrateLegacyCredentialsRequest.getDefaultInstance()).getMigrated());
        assertEquals(1, Broker.admin(admin).purgeLegacyCredentials(PurgeLegacyCredentialsRequest.getDefaultInstance())
                .getPurged());

        assertEquals(otherRows, endpointRows(other));
        GetCredentialsResponse read = Broker.credentials(TestGrpc.channel(other, "worker"))
                .getCredentials(GetCredentialsRequest.newBuilder().setPortalId("shared-name").build());
        assertEquals(CredentialSource.CREDENTIAL_SOURCE_LEGACY_CONFIG, read.getSource());
        assertEquals(marker + "-other", read.getCredentials().getPassword());
    }

    @Test
    void pagesWithLimitCoverEveryPortalOnce() {
        String tenant = tenant("pages");
        Channel admin = TestGrpc.channel(tenant, "admin");
        for (int i = 0; i < 25; i++) {
            Broker.register(admin, String.format("p%02d", i), i % 5 == 4 ? "" : legacyConfig("p" + i));
        }
        List<Integer> migrated = new ArrayList<>();
        int skipped = 0;
        String after = "";
        do {
            MigrateLegacyCredentialsResponse page = migrate(admin, MigrateLegacyCredentialsRequest.newBuilder()
                    .setLimit(7).setStartAfter(after).setBackend(SecretBackend.SECRET_BACKEND_SECRETS_MANAGER).build());
            migrated.add(page.getMigrated());
            skipped += page.getSkipped();
            after = page.getLastPortalId();
        } while (!after.isEmpty());

        assertEquals(List.of(7, 7, 6), migrated);
        assertEquals(5, skipped, "the five portals without legacy credentials, each counted once");
        assertEquals(20, Db.count("SELECT count(*) FROM integration_endpoint WHERE tenant_id = ?"
                + " AND secret_arn LIKE 'arn:aws:secretsmanager:%'", tenant));
    }

    @Test
    void purgeKeepsWhatWasNeverMigratedOrNoLongerReadsBackEqual() {
        String tenant = tenant("purge-kept");
        Channel admin = TestGrpc.channel(tenant, "admin");
        Broker.register(admin, "migrated", legacyConfig("migrated"));
        migrate(admin, MigrateLegacyCredentialsRequest.getDefaultInstance());
        Broker.register(admin, "not-migrated", legacyConfig("not-migrated"));
        aws.onResource(GET_PARAMETER, "/migrated", "fail", 1000);

        PurgeLegacyCredentialsResponse purged = Broker.admin(admin)
                .purgeLegacyCredentials(PurgeLegacyCredentialsRequest.getDefaultInstance());

        assertEquals(0, purged.getPurged());
        assertEquals(2, purged.getKeptUnverified());
        assertEquals(2, plaintextCopies(tenant));
    }

    // ------------------------------------------------------------------------------ helpers

    private static String tenant(String name) {
        return "migration-" + name + "-" + UUID.randomUUID();
    }

    private String legacyConfig(String portal) {
        return """
                {"region": "east", "credentials": {"username": "user-%s", "password": "%s-%s",
                 "mfa_seed": "JBSWY3DPEHPK3PXP", "metadata": {"portal_type": "insurance"}}}"""
                .formatted(portal, marker, portal);
    }

    private static MigrateLegacyCredentialsResponse migrate(Channel admin, MigrateLegacyCredentialsRequest request) {
        return Broker.admin(admin).withDeadlineAfter(5, TimeUnit.MINUTES)
                .migrateLegacyCredentials(request);
    }

    /** Each portal's credentials as an admin reads them, with the MFA seed. */
    private static Map<String, Credentials> credentialsOf(String tenant, List<String> portals) {
        Map<String, Credentials> read = new ConcurrentHashMap<>();
        inParallel(portals, portal -> read.put(portal, Broker.credentials(TestGrpc.channel(tenant, "admin")).getCredentials(
                GetCredentialsRequest.newBuilder().setPortalId(portal).setIncludeMfaSeed(true).build()).getCredentials()));
        return new TreeMap<>(read);
    }

    /** {@code call} for each portal, eight at a time; fails with the first failure. */
    private static void inParallel(List<String> portals, Consumer<String> call) {
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> calls = new ArrayList<>();
            portals.forEach(portal -> calls.add(threads.submit(() -> call.accept(portal))));
            for (Future<?> done : calls) {
                done.get(2, TimeUnit.MINUTES);
            }
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("a call failed", e);
        } finally {
            threads.shutdownNow();
        }
    }

    /** The tenant's portals that still hold {@code config.credentials}. */
    private static long plaintextCopies(String tenant) {
        return Db.count("SELECT count(*) FROM integration_endpoint WHERE tenant_id = ? AND config -> 'credentials' IS NOT NULL",
                tenant);
    }

    /** The tenant's per-portal {@code migrate} rows (the calls' own rows name no portal). */
    private static long countMigrateRows(String tenant, boolean success) {
        return Db.count("SELECT count(*) FROM credential_access_log WHERE tenant_id = ? AND access_type = 'migrate'"
                + " AND portal_id IS NOT NULL AND success = " + success, tenant);
    }

    private static List<Map<String, Object>> endpointRows(String tenant) throws SQLException {
        try (Connection c = TestEnvironment.database().connect();
                PreparedStatement s = c.prepareStatement("SELECT * FROM integration_endpoint WHERE tenant_id = ? ORDER BY id")) {
            s.setString(1, tenant);
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.put(rs.getMetaData().getColumnName(i), String.valueOf(rs.getObject(i)));
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
    }

    /** The tables of the schema with a row whose text contains {@code text}, and how many rows. */
    private static Map<String, Long> tablesContaining(String text) throws SQLException {
        Map<String, Long> found = new HashMap<>();
        try (Connection c = TestEnvironment.database().connect()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = c.getMetaData().getTables(null, "public", "%", new String[] {"TABLE"})) {
                while (rs.next()) {
                    tables.add(rs.getString("TABLE_NAME"));
                }
            }
            for (String table : tables) {
                try (PreparedStatement s = c.prepareStatement(
                        "SELECT count(*) FROM \"" + table + "\" t WHERE t::text LIKE '%' || ? || '%'")) {
                    s.setString(1, text);
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) > 0) {
                            found.put(table, rs.getLong(1));
                        }
                    }
                }
            }
        }
        return found;
    }
}
