package org.rcm.credentials.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.HdrHistogram.Histogram;
import org.rcm.credentials.api.v1.VerifyAuditLogResponse;
import org.rcm.credentials.audit.WriterLoad;
import org.rcm.credentials.local.LocalPki;
import org.rcm.credentials.local.LocalPostgres;
import org.rcm.credentials.local.LocalServices;
import org.rcm.credentials.local.MetricsText;
import org.rcm.credentials.local.aws.LocalAwsEndpoint;

/**
 * README "Benchmarks" ({@code ./mvnw -Pbench}): measures the packaged broker against an empty RPC
 * on the same server, over mTLS, with a fail-closed audit on a real PostgreSQL and the local AWS
 * endpoint with added latency. The main broker serves every scenario but two, which need other
 * settings and so their own broker process on the same database and AWS endpoint:
 * {@code audit-single} ({@code rcm.audit.batch-size=1}) and {@code get-hit-best-effort}
 * ({@code rcm.audit.mode=best-effort}). Prints a table and writes JSON (see {@link Report}); exits
 * non-zero on any call error or when the audit rows do not match the successful audited calls.
 */
public final class Benchmark {

    private static final System.Logger LOG = System.getLogger(Benchmark.class.getName());
    private static final Path DIR = LocalServices.targetDir("bench");
    private static final String TENANT = "bench";
    private static final String TRUST_DOMAIN = "rcm.local";
    private static final String GET_PARAMETER = "AmazonSSM.GetParameter";
    private static final IntFunction<String> HIT = i -> "hit-" + i;
    private static final IntFunction<String> STORE = i -> "store-" + i;
    private static final IntFunction<String> ROTATE = i -> "rotate-" + i;
    private static final Duration WARMUP_SLICE = Duration.ofSeconds(5);

    private final BenchSettings settings;
    private final LocalServices services;
    private final Workload workload = new Workload();
    /** Rows the brokers dropped (best-effort, queue full) and counted, read before each stops. */
    private double droppedAuditRows;
    /** Rows the audit-writer scenario committed (successful rows without a call). */
    private long writerRows;
    /** The audit log's hash chains verified whole after the main broker's scenarios. */
    private boolean auditIntact = true;
    private final Report report;
    private final List<Double> hitPeaks = new ArrayList<>();

    private Benchmark(BenchSettings settings, LocalServices services) {
        this.settings = settings;
        this.services = services;
        this.report = new Report(settings.describe());
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT bench: %5$s%6$s%n");
        BenchSettings settings = BenchSettings.load();
        Files.createDirectories(DIR);
        if (settings.slowsyncMicros() > 0 && settings.dbUrl().isEmpty() && !Slowsync.active()) {
            System.exit(Slowsync.relaunch(settings.slowsyncMicros(), DIR));
        }
        LocalPostgres postgres = settings.dbUrl().isPresent()
                ? LocalPostgres.externalOrEphemeral(settings.dbUrl())
                : LocalPostgres.startEphemeralDurable();
        String databaseName = postgres.isEmbedded() ? "rcm" : "rcm_bench_" + System.currentTimeMillis();
        LocalPostgres.Database database = postgres.createDatabase(databaseName);
        LocalAwsEndpoint aws = LocalAwsEndpoint.start(LocalAwsEndpoint.Options.defaults().withLatency(settings.awsLatency()));
        LocalPki pki = LocalPki.create(DIR.resolve("pki"), TRUST_DOMAIN);
        pki.client("bench-admin", TENANT, "admin");
        pki.client("bench-worker", TENANT, "worker");
        int status;
        try (LocalServices services = new LocalServices(postgres, database, aws, pki)) {
            status = new Benchmark(settings, services).run();
        } finally {
            if (!postgres.isEmbedded()) {
                postgres.dropDatabase(databaseName);
            }
        }
        System.exit(status);
    }

    private int run() throws Exception {
        try (BrokerProcess main = startBroker("main", Map.of(), settings.jfr(), List.of(), Map.of())) {
            measureMain(main);
        }
        measureAuditWriter();
        try (BrokerProcess single = startBroker("batch-1", Map.of("rcm.audit.batch-size", "1"), false, List.of(), Map.of())) {
            measureGetHit(single, "audit-single");
        }
        try (BrokerProcess bestEffort = startBroker("best-effort", Map.of("rcm.audit.mode", "best-effort"), false, List.of(), Map.of())) {
            measureBestEffort(bestEffort);
        }
        ContainerJvm containerJvm = ContainerJvm.fromDockerfile();
        try (BrokerProcess container = startBroker("container", Map.of(), false, containerJvm.options(),
                containerJvm.environment())) {
            measureGetHit(container, "get-hit (container)");
        }
        report.note("audit-single ran on a second broker process (rcm.audit.batch-size=1), get-hit-best-effort and "
                + "its empty on a third (rcm.audit.mode=best-effort), get-hit (container) on a fourth with the JVM options "
                + "of src/main/docker/Dockerfile.jvm as its entry point passes them, in k8s' 512 Mi: " + containerJvm.describe()
                + "; same database and AWS endpoint");
        report.auditCheck(countAuditRows());
        report.note("PostgreSQL " + durability());
        judge();
        System.out.print(report.table());
        Path file = report.write(DIR);
        LOG.log(System.Logger.Level.INFO, "results written to {0} and {1}", file, DIR.resolve("latest.json"));
        boolean allRan = report.rows().stream().allMatch(row -> row.calls() > 0);
        boolean passed = allRan && report.errors() == 0 && report.auditRowsMatch() && auditIntact;
        if (!passed) {
            LOG.log(System.Logger.Level.ERROR, "benchmark FAILED: {0} call errors, audit rows {1}, every scenario ran: {2}",
                    report.errors(), report.auditRowsMatch() ? "match" : "do not match", allRan);
        }
        return passed ? 0 : 1;
    }

    // ------------------------------------------------------------------------------ main broker

    private void measureMain(BrokerProcess broker) {
        try (LoadDriver worker = driver(broker, "bench-worker"); LoadDriver admin = driver(broker, "bench-admin")) {
            List<String> hits = portals(HIT, settings.portals());
            workload.createPortals(admin.channel(), hits);
            int writers = admin.connections() * settings.writeInFlight();
            workload.createPortals(admin.channel(), portals(STORE, writers));
            workload.createPortals(admin.channel(), portals(ROTATE, writers));
            workload.warm(worker.channel(), hits);
            LoadDriver.Call empty = workload.health();
            LoadDriver.Call getHit = workload.get(HIT, settings.portals());
            warmUp(worker, empty, getHit);

            for (int round = 1; round <= settings.rounds(); round++) {
                Report.Row emptyRow;
                Report.Row hitRow;
                if (round % 2 == 1) {
                    emptyRow = closedLoop("empty", round, broker, worker, empty);
                    hitRow = closedLoop("get-hit", round, broker, worker, getHit);
                } else {
                    hitRow = closedLoop("get-hit", round, broker, worker, getHit);
                    emptyRow = closedLoop("empty", round, broker, worker, empty);
                }
                hitPeaks.add(hitRow.perSecond());
                report.ratio("get-hit / empty, round " + round, hitRow.perSecond() / emptyRow.perSecond());
            }
            oneCallerAtATime(broker, getHit, empty);
            double half = median(hitPeaks) / 2;
            openLoop("get-hit @ half peak", broker, worker, getHit, half);
            openLoop("empty @ half peak", broker, worker, empty, half);
            // where the tail stands when the shared 2-core box is far from busy
            openLoop("get-hit @ 1/10 peak", broker, worker, getHit, median(hitPeaks) / 10);
            closedLoop("audit-batch", 0, broker, worker, getHit);
            closedLoop("store", 0, broker, admin, settings.writeInFlight(), workload.store(STORE));
            closedLoop("rotate", 0, broker, admin, settings.writeInFlight(), workload.rotate(ROTATE));
            herds(broker, worker, admin);
            verifyAuditLog(admin);
            finish(broker);
        }
    }

    /** {@code c1m1}: one connection, one call at a time, so each call's latency is the service's alone. */
    private void oneCallerAtATime(BrokerProcess broker, LoadDriver.Call getHit, LoadDriver.Call empty) {
        try (LoadDriver one = driver(broker, "bench-worker", 1, 1)) {
            closedLoop("c1m1 empty", 0, broker, one, empty);
            closedLoop("c1m1 get-hit", 0, broker, one, getHit);
        }
    }

    /** VerifyAuditLog over every row the run wrote so far: the chains are whole, and how fast they are checked. */
    private void verifyAuditLog(LoadDriver admin) {
        long started = System.nanoTime();
        VerifyAuditLogResponse verified = workload.verifyAuditLog(admin.channel());
        double seconds = (System.nanoTime() - started) / 1e9;
        report.ratio("audit-verify rows/s", verified.getRowsChecked() / seconds);
        report.note(String.format(Locale.ROOT, "audit-verify: %,d rows in %d chains verified in %.2f s (%s)",
                verified.getRowsChecked(), verified.getChains(), seconds,
                verified.getIntact() ? "intact" : "BROKEN at row " + verified.getFirstBrokenId() + ": " + verified.getFinding()));
        auditIntact = verified.getIntact();
        report.target("audit hash chains after the run", auditIntact ? "intact" : "broken", "intact", auditIntact);
    }

    /** Full load on the fresh JVM, alternating the scenarios in slices, before anything is measured. */
    private void warmUp(LoadDriver driver, LoadDriver.Call... calls) {
        LOG.log(System.Logger.Level.INFO, "warming up for {0} s", settings.warmup().toSeconds());
        long slices = Math.max(calls.length, settings.warmup().toMillis() / WARMUP_SLICE.toMillis());
        Duration slice = settings.warmup().dividedBy(slices);
        for (int i = 0; i < slices; i++) {
            LoadDriver.Measurement m = driver.closedLoop(calls[i % calls.length], slice, Duration.ZERO, LoadDriver.Window.NONE);
            if (m.errors() > 0) {
                throw new IllegalStateException("errors during warm-up: " + m.errorsByStatus());
            }
        }
    }

    /** The herds: a new portal each, stored (its cache cold), then {@code herdSize} concurrent reads. */
    private void herds(BrokerProcess broker, LoadDriver worker, LoadDriver admin) {
        LocalAwsEndpoint aws = services.aws();
        Histogram latencies = new Histogram(3);
        List<Long> awsCalls = new ArrayList<>();
        long errors = 0;
        Map<String, Long> errorsByStatus = new HashMap<>();
        double seconds = 0;
        for (int herd = 1; herd <= settings.herds(); herd++) {
            String portal = "herd-" + herd + "-" + System.currentTimeMillis();
            workload.createPortals(admin.channel(), List.of(portal));
            aws.resetCalls();
            LoadDriver.Measurement m = worker.burst(workload.get(i -> portal, 1), settings.herdSize());
            awsCalls.add(aws.calls(GET_PARAMETER));
            latencies.add(m.latencyMicros());
            errors += m.errors();
            m.errorsByStatus().forEach((code, n) -> errorsByStatus.merge(code, n, Long::sum));
            seconds += m.seconds();
        }
        Map<String, Double> figures = new LinkedHashMap<>();
        figures.put("awsCallsPerHerdMax", (double) awsCalls.stream().mapToLong(Long::longValue).max().orElse(0));
        figures.put("awsCallsPerHerdMean", awsCalls.stream().mapToLong(Long::longValue).average().orElse(0));
        LoadDriver.Measurement all = new LoadDriver.Measurement(latencies, seconds, errors, errorsByStatus);
        String load = settings.herds() + " x " + settings.herdSize() + " burst";
        report.add(row("get-miss-herd", broker, load, all, 0, figures,
                "AWS " + GET_PARAMETER + " calls per herd: " + awsCalls));
    }

    // ------------------------------------------------------------------------------ other brokers

    /** {@code audit-writer}: the service's writer in this process, fed rows without RPCs (see {@link WriterLoad}). */
    private void measureAuditWriter() throws InterruptedException {
        LOG.log(System.Logger.Level.INFO, "audit-writer");
        LocalPostgres.Database database = services.database();
        try (WriterLoad load = new WriterLoad(database.reactiveUrl(), database.runtime().user(), database.runtime().password())) {
            int inFlight = settings.connections() * settings.inFlight() * 8;
            WriterLoad.Result result = load.run("bench-writer", inFlight, settings.scenarioWarmup().plusSeconds(1),
                    settings.duration());
            writerRows += result.written();
            Map<String, Double> figures = new LinkedHashMap<>();
            figures.put("auditRowsPerSecond", result.rowsPerSecond());
            figures.put("meanAuditBatch", result.meanBatch());
            report.add(new Report.Row("audit-writer", "(in bench)", inFlight + " rows in flight", result.rowsPerSecond(),
                    0, 0, 0, 0, result.rows(), result.failed(), Map.of(), 0, figures,
                    String.format(Locale.ROOT, "audit %.0f rows/s, mean batch %.1f", result.rowsPerSecond(), result.meanBatch())));
        }
    }

    /**
     * The {@code get-hit} load on a broker of its own settings, measured as {@code scenario}:
     * {@code audit-single}, and {@code get-hit (container)} (the JVM image's options in a 512 Mi
     * container's memory).
     */
    private void measureGetHit(BrokerProcess broker, String scenario) {
        try (LoadDriver worker = driver(broker, "bench-worker")) {
            LoadDriver.Call getHit = workload.get(HIT, settings.portals());
            workload.warm(worker.channel(), portals(HIT, settings.portals()));
            warmUp(worker, getHit);
            closedLoop(scenario, 0, broker, worker, getHit);
            finish(broker);
        }
    }

    private void measureBestEffort(BrokerProcess broker) {
        try (LoadDriver worker = driver(broker, "bench-worker")) {
            LoadDriver.Call empty = workload.health();
            LoadDriver.Call getHit = workload.get(HIT, settings.portals());
            workload.warm(worker.channel(), portals(HIT, settings.portals()));
            warmUp(worker, empty, getHit);
            Report.Row emptyRow = closedLoop("empty", 0, broker, worker, empty);
            Report.Row hitRow = closedLoop("get-hit-best-effort", 0, broker, worker, getHit);
            report.ratio("get-hit-best-effort / empty (its own broker)", hitRow.perSecond() / emptyRow.perSecond());
            awaitAuditQueueDrained(broker);
            finish(broker);
        }
    }

    /**
     * Best-effort rows are written after the answers: waits until the broker has written every
     * queued row, so that stopping it (which should drain the queue too) does not decide the
     * audit-row check.
     */
    private void awaitAuditQueueDrained(BrokerProcess broker) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        double queued;
        while ((queued = MetricsText.sum(broker.metrics(), "rcm_audit_queue_depth")) > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        if (queued > 0) {
            report.note(String.format(Locale.ROOT, "%s still had %.0f audit rows queued after 60 s", broker.name(), queued));
        }
    }

    // ------------------------------------------------------------------------------ measuring

    private Report.Row closedLoop(String scenario, int round, BrokerProcess broker, LoadDriver driver, LoadDriver.Call call) {
        return closedLoop(scenario, round, broker, driver, driver.inFlight(), call);
    }

    /** A closed-loop window of {@code duration}, extended until it has {@code minCalls} completed calls. */
    private Report.Row closedLoop(String scenario, int round, BrokerProcess broker, LoadDriver driver, int perConnection,
            LoadDriver.Call call) {
        String name = round > 0 ? scenario + " #" + round : scenario;
        LOG.log(System.Logger.Level.INFO, "{0} on {1}", name, broker.name());
        ServerWindow window = new ServerWindow(broker);
        LoadDriver.Measurement m = driver.closedLoop(call, perConnection, settings.scenarioWarmup(), settings.duration(),
                settings.minCalls(), settings.maxWindow(), window);
        String load = "closed " + driver.connections() + "x" + perConnection;
        return add(name, broker, driver, load, m, window);
    }

    private Report.Row openLoop(String scenario, BrokerProcess broker, LoadDriver driver, LoadDriver.Call call, double rate) {
        LOG.log(System.Logger.Level.INFO, "{0} on {1}: {2} calls/s", scenario, broker.name(), Math.round(rate));
        ServerWindow window = new ServerWindow(broker);
        LoadDriver.Measurement m = driver.openLoop(call, rate, settings.scenarioWarmup(), settings.duration(), window);
        return add(scenario, broker, driver, String.format(Locale.ROOT, "open %.0f/s", rate), m, window);
    }

    /** A row with the server's figures over the window: CPU per call, audit rows, batch sizes, cache lookups. */
    private Report.Row add(String scenario, BrokerProcess broker, LoadDriver driver, String load, LoadDriver.Measurement m,
            ServerWindow window) {
        double seconds = m.seconds();
        Map<String, Double> figures = new LinkedHashMap<>();
        double rows = window.delta("rcm_audit_rows_total", "outcome=\"written\"");
        double batches = window.delta("rcm_audit_batch_size_count");
        figures.put("auditRowsPerSecond", rows / seconds);
        figures.put("meanAuditBatch", batches == 0 ? 0 : window.delta("rcm_audit_batch_size_sum") / batches);
        figures.put("auditRowsDropped", window.delta("rcm_audit_rows_total", "outcome=\"dropped\""));
        figures.put("auditRowsFailed", window.delta("rcm_audit_rows_total", "outcome=\"failed\""));
        figures.put("cacheHits", window.delta("rcm_cache_lookups_total", "result=\"hit\""));
        figures.put("cacheMisses", window.delta("rcm_cache_lookups_total", "result=\"miss\""));
        figures.put("serverWritesPerCall", window.writesPerCall(m.calls()));
        figures.put("machineBusyPercent", window.machineBusyPercent());
        String notes = rows == 0 ? "" : String.format(Locale.ROOT, "audit %.0f rows/s, mean batch %.1f",
                figures.get("auditRowsPerSecond"), figures.get("meanAuditBatch"));
        if (figures.get("auditRowsDropped") + figures.get("auditRowsFailed") > 0) {
            notes += String.format(Locale.ROOT, ", audit rows dropped %.0f, failed %.0f", figures.get("auditRowsDropped"),
                    figures.get("auditRowsFailed"));
        }
        if (figures.get("cacheMisses") > 0) {
            notes += String.format(Locale.ROOT, ", %.0f cache misses", figures.get("cacheMisses"));
        }
        if (m.errors() > 0) {
            notes += " errors: " + m.errorsByStatus();
        }
        if (m.errorsByStatus().containsKey(LoadDriver.NO_ANSWER)) {
            Path evidence = broker.keepUnansweredEvidence(scenario, DIR, driver.connectionStates());
            report.note(scenario + ": calls unanswered after the drain; evidence taken then is in " + evidence);
        }
        Report.Row row = row(scenario, broker, load, m, window.cpuMicrosPerCall(m.calls()), figures, notes);
        report.add(row);
        return row;
    }

    private static Report.Row row(String scenario, BrokerProcess broker, String load, LoadDriver.Measurement m,
            double cpuMicrosPerCall, Map<String, Double> figures, String notes) {
        return new Report.Row(scenario, broker.name(), load, m.perSecond(), m.millis(50), m.millis(99), m.millis(99.9),
                m.calls() == 0 ? 0 : m.latencyMicros().getMaxValue() / 1000.0, m.calls(), m.errors(), m.errorsByStatus(),
                cpuMicrosPerCall, figures, notes);
    }

    // ------------------------------------------------------------------------------ results

    /** Ratios and the targets of README's "Targets" from the rows. */
    private void judge() {
        double hitOverEmpty = median(report.ratios().entrySet().stream()
                .filter(e -> e.getKey().startsWith("get-hit / empty, round"))
                .map(Map.Entry::getValue).toList());
        report.ratio("get-hit / empty (median of rounds)", hitOverEmpty);
        double batchRows = figure("audit-batch", "auditRowsPerSecond");
        double singleRows = figure("audit-single", "auditRowsPerSecond");
        report.ratio("audit-batch / audit-single (rows/s)", batchRows / singleRows);
        double awsPerHerd = figure("get-miss-herd", "awsCallsPerHerdMax");
        report.ratio("AWS calls per herd (max)", awsPerHerd);
        double containerHit = find("get-hit (container)").perSecond() / median(hitPeaks);
        report.ratio("get-hit (container) / get-hit (median of main's rounds)", containerHit);
        double bestEffort = report.ratios().getOrDefault("get-hit-best-effort / empty (its own broker)", Double.NaN);
        Report.Row oneCaller = find("c1m1 get-hit");
        double writer = figure("audit-writer", "auditRowsPerSecond");
        BrokerProcess.Figures container = report.processes().get("container");

        boolean durableDisk = Slowsync.active() && settings.slowsyncMicros() >= 1000;
        double hitGoal = durableDisk ? 0.45 : 0.50;
        report.target("get-hit / empty, fail-closed", pct(hitOverEmpty),
                ">= " + pct(hitGoal) + (durableDisk ? " (1 ms flush)" : ""), hitOverEmpty >= hitGoal);
        report.target("get-hit-best-effort / empty", pct(bestEffort), ">= 65 %", bestEffort >= 0.65);
        report.target("c1m1 get-hit p50", String.format(Locale.ROOT, "%.2f ms", oneCaller.p50()), "<= 0.5 ms",
                oneCaller.p50() <= 0.5);
        report.target("c1m1 get-hit p99", String.format(Locale.ROOT, "%.2f ms", oneCaller.p99()), "<= 2 ms",
                oneCaller.p99() <= 2);
        report.target("audit-writer rows/s", String.format(Locale.ROOT, "%,.0f", writer), ">= 80,000", writer >= 80_000);
        report.target("AWS calls per herd", String.format(Locale.ROOT, "max %.0f, mean %.2f", awsPerHerd,
                figure("get-miss-herd", "awsCallsPerHerdMean")), "exactly 1", awsPerHerd == 1
                && figure("get-miss-herd", "awsCallsPerHerdMean") == 1);
        report.target("container start to ready", String.format(Locale.ROOT, "%.2f s (Quarkus %.2f s)",
                container.startToServingSeconds(), container.startedInSeconds()), "<= 1.0 s",
                container.startToServingSeconds() <= 1.0);
        report.target("container RSS after the run", String.format(Locale.ROOT, "%.0f MB", container.rssMb()), "<= 300 MB",
                container.rssMb() <= 300);
        report.target("container get-hit / default heap's", pct(containerHit), ">= 90 %", containerHit >= 0.90);
    }

    private double figure(String scenario, String figure) {
        return find(scenario).figures().getOrDefault(figure, Double.NaN);
    }

    private Report.Row find(String scenario) {
        return report.rows().stream().filter(r -> r.scenario().equals(scenario)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no result for " + scenario));
    }

    /** The database's durability settings, which decide what a commit costs. */
    private String durability() throws SQLException {
        try (Connection c = services.database().connect();
                ResultSet rs = c.createStatement().executeQuery("SELECT current_setting('server_version'), "
                        + "current_setting('fsync'), current_setting('synchronous_commit'), current_setting('wal_sync_method')")) {
            rs.next();
            return rs.getString(1) + ": fsync=" + rs.getString(2) + ", synchronous_commit=" + rs.getString(3)
                    + ", wal_sync_method=" + rs.getString(4) + (Slowsync.active() ? ", slowsync " + settings.slowsyncMicros() + " us" : "");
        }
    }

    /**
     * Rows in the access log once the brokers have stopped (best-effort rows are written after
     * the answers), against the successful audited calls less the rows a best-effort broker
     * dropped and counted (its queue full), and the failed setup calls that were retried.
     */
    private Report.AuditCheck countAuditRows() throws SQLException, InterruptedException {
        long expected = workload.auditedCalls() + writerRows;
        long dropped = Math.round(droppedAuditRows);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try (Connection c = services.database().connect();
                    ResultSet rs = c.createStatement().executeQuery(
                            "SELECT count(*), count(*) FILTER (WHERE NOT success) FROM credential_access_log")) {
                rs.next();
                Report.AuditCheck check = new Report.AuditCheck(expected, dropped, workload.failedAuditedCalls(),
                        rs.getLong(1), rs.getLong(2));
                if (check.matches() || System.nanoTime() > deadline) {
                    return check;
                }
            }
            Thread.sleep(200);
        }
    }

    // ------------------------------------------------------------------------------ helpers

    private BrokerProcess startBroker(String name, Map<String, String> overrides, boolean jfr, List<String> jvmOptions,
            Map<String, String> environment) {
        LOG.log(System.Logger.Level.INFO, "starting broker {0} {1}", name, overrides);
        Map<String, String> config = new LinkedHashMap<>(services.brokerConfig());
        config.put("rcm.environment", "bench");
        config.putAll(overrides);
        List<String> jvm = new ArrayList<>(jvmOptions.isEmpty() ? settings.serverJvmOptions() : jvmOptions);
        if (jfr) {
            jvm.add("-XX:StartFlightRecording=filename=" + DIR.resolve(name + ".jfr") + ",settings=profile,dumponexit=true");
        }
        return BrokerProcess.start(name, config, jvm, environment, DIR);
    }

    private LoadDriver driver(BrokerProcess broker, String identity) {
        return driver(broker, identity, settings.connections(), settings.inFlight());
    }

    private LoadDriver driver(BrokerProcess broker, String identity, int connections, int inFlight) {
        LocalPki pki = services.pki();
        return LoadDriver.connect(broker.grpcPort(), pki.dir().resolve("ca.crt"), pki.dir().resolve(identity + ".crt"),
                pki.dir().resolve(identity + ".key"), connections, inFlight);
    }

    private static List<String> portals(IntFunction<String> name, int count) {
        return IntStream.range(0, count).mapToObj(name).toList();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String pct(double ratio) {
        return String.format(Locale.ROOT, "%.0f %%", ratio * 100);
    }

    /** The broker's CPU time and metrics when the measured window opens and closes. */
    private static final class ServerWindow implements LoadDriver.Window {
        private final BrokerProcess broker;
        private long cpuOpened;
        private long cpuClosed;
        private long writesOpened;
        private long writesClosed;
        private long[] machineOpened = {0, 0};
        private long[] machineClosed = {0, 0};
        private Map<String, Double> opened = Map.of();
        private Map<String, Double> closed = Map.of();

        ServerWindow(BrokerProcess broker) {
            this.broker = broker;
        }

        @Override
        public void opened() {
            opened = broker.metrics();
            writesOpened = broker.writeCalls();
            machineOpened = BrokerProcess.machineCpuTicks();
            cpuOpened = broker.cpuNanos();
        }

        @Override
        public void closed() {
            cpuClosed = broker.cpuNanos();
            machineClosed = BrokerProcess.machineCpuTicks();
            writesClosed = broker.writeCalls();
            closed = broker.metrics();
        }

        double writesPerCall(long calls) {
            return calls == 0 ? 0 : (double) (writesClosed - writesOpened) / calls;
        }

        /** How busy the whole machine (broker, load driver, PostgreSQL) was, in percent. */
        double machineBusyPercent() {
            long total = machineClosed[1] - machineOpened[1];
            return total == 0 ? 0 : 100.0 * (machineClosed[0] - machineOpened[0]) / total;
        }

        double delta(String metric, String... labels) {
            return MetricsText.sum(closed, metric, labels) - MetricsText.sum(opened, metric, labels);
        }

        double cpuMicrosPerCall(long calls) {
            return calls == 0 ? 0 : (cpuClosed - cpuOpened) / 1000.0 / calls;
        }
    }

    /** A broker's process figures and the audit rows it dropped (counted), taken before it stops. */
    private void finish(BrokerProcess broker) {
        report.process(broker.name(), broker.figures());
        droppedAuditRows += MetricsText.sum(broker.metrics(), "rcm_audit_rows_total", "outcome=\"dropped\"");
    }
}
