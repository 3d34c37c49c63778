package org.rcm.credentials.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark's results: one row per measured scenario, the ratios, the targets, the process
 * figures and the audit-row check. Printed as a table on standard output and written as JSON to
 * {@code target/bench/results-<timestamp>.json} and {@code target/bench/latest.json}.
 */
final class Report {

    /** One measured scenario. Latencies in milliseconds; CPU is the broker's, per completed call. */
    record Row(String scenario, String server, String load, double perSecond, double p50, double p99, double p999,
            double max, long calls, long errors, Map<String, Long> errorsByStatus, double serverCpuMicrosPerCall,
            Map<String, Double> figures, String notes) {
    }

    /** A ratio or figure with the goal it is compared against. */
    record Target(String name, String measured, String goal, boolean met) {
    }

    /**
     * Audit rows in the database against the audited calls: the successful rows match the calls
     * that succeeded, less the rows counted as dropped, which must stay rare (at most 1 %: a
     * writer that drops rows wholesale fails the check); failed rows come only from setup calls
     * that failed and were retried (a measured call that fails is an error of its own).
     */
    record AuditCheck(long successfulCalls, long droppedRows, long retriedCalls, long rows, long failedRows) {
        boolean matches() {
            return successfulCalls - droppedRows == rows - failedRows && droppedRows * 100 <= successfulCalls
                    && failedRows <= retriedCalls;
        }
    }

    private final OffsetDateTime started = OffsetDateTime.now();
    private final Map<String, Object> settings;
    private final List<Row> rows = new ArrayList<>();
    private final Map<String, Double> ratios = new LinkedHashMap<>();
    private final List<Target> targets = new ArrayList<>();
    private final Map<String, BrokerProcess.Figures> processes = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private AuditCheck auditCheck;

    Report(Map<String, Object> settings) {
        this.settings = settings;
    }

    void add(Row row) {
        rows.add(row);
    }

    void ratio(String name, double value) {
        ratios.put(name, value);
    }

    void target(String name, String measured, String goal, boolean met) {
        targets.add(new Target(name, measured, goal, met));
    }

    void process(String server, BrokerProcess.Figures figures) {
        processes.put(server, figures);
    }

    void note(String note) {
        notes.add(note);
    }

    void auditCheck(AuditCheck check) {
        this.auditCheck = check;
    }

    List<Row> rows() {
        return rows;
    }

    Map<String, Double> ratios() {
        return ratios;
    }

    Map<String, BrokerProcess.Figures> processes() {
        return processes;
    }

    /** Errors over every scenario. */
    long errors() {
        return rows.stream().mapToLong(Row::errors).sum();
    }

    boolean auditRowsMatch() {
        return auditCheck != null && auditCheck.matches();
    }

    /** The results as a plain-text table. */
    String table() {
        StringBuilder out = new StringBuilder();
        out.append("RCM credential broker benchmark, ").append(started.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .append(", ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs, Java ")
                .append(System.getProperty("java.version")).append('\n');
        out.append("settings: ").append(settings).append("\n\n");
        out.append(String.format(Locale.ROOT, "%-22s %-11s %-16s %9s %7s %7s %8s %7s %6s %7s %7s %5s  %s%n", "scenario",
                "server", "load", "calls/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "errors", "cpu us", "writes", "box%",
                "notes"));
        for (Row row : rows) {
            out.append(String.format(Locale.ROOT, "%-22s %-11s %-16s %9.0f %7.2f %7.2f %8.2f %7.1f %6d %7.1f %7.2f %5.0f  %s%n",
                    row.scenario(), row.server(), row.load(), row.perSecond(), row.p50(), row.p99(), row.p999(), row.max(),
                    row.errors(), row.serverCpuMicrosPerCall(), row.figures().getOrDefault("serverWritesPerCall", 0.0),
                    row.figures().getOrDefault("machineBusyPercent", 0.0), row.notes()));
        }
        out.append("cpu us: broker CPU per call; writes: broker write system calls per call; box%: whole machine busy\n");
        out.append("\nprocesses:\n");
        out.append(String.format(Locale.ROOT, "  %-11s %16s %16s %8s %9s %10s %9s %10s%n", "server", "start-to-ready s",
                "quarkus start s", "RSS MB", "peak MB", "heap MB", "GC count", "GC time s"));
        processes.forEach((server, f) -> out.append(String.format(Locale.ROOT, "  %-11s %16.2f %16.3f %8.0f %9.0f %10.0f %9d %10.3f%n",
                server, f.startToServingSeconds(), f.startedInSeconds(), f.rssMb(), f.peakRssMb(), f.heapCommittedMb(),
                f.gcPauses(), f.gcPauseSeconds())));
        out.append("\nratios:\n");
        ratios.forEach((name, value) -> out.append(String.format(Locale.ROOT, "  %-46s %8.2f%n", name, value)));
        out.append("\ntargets:\n");
        for (Target target : targets) {
            out.append(String.format(Locale.ROOT, "  %-4s %-34s %-26s goal %s%n", target.met() ? "MET" : "MISS",
                    target.name(), target.measured(), target.goal()));
        }
        if (auditCheck != null) {
            out.append(String.format(Locale.ROOT,
                    "%naudit rows: %d in credential_access_log (%d failed), %d successful audited calls less %d dropped"
                            + " and counted by best-effort, %d failed setup calls retried: %s%n",
                    auditCheck.rows(), auditCheck.failedRows(), auditCheck.successfulCalls(), auditCheck.droppedRows(),
                    auditCheck.retriedCalls(), auditCheck.matches() ? "match" : "MISMATCH"));
        }
        notes.forEach(note -> out.append("note: ").append(note).append('\n'));
        return out.toString();
    }

    /** Writes the results as JSON; returns the file written. */
    Path write(Path dir) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("started", started.toString());
        json.put("cpus", Runtime.getRuntime().availableProcessors());
        json.put("javaVersion", System.getProperty("java.version"));
        json.put("settings", settings);
        json.put("scenarios", rows);
        json.put("processes", processes);
        json.put("ratios", ratios);
        json.put("targets", targets);
        json.put("auditCheck", auditCheck);
        json.put("notes", notes);
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Path file = dir.resolve("results-" + started.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".json");
        try {
            mapper.writeValue(file.toFile(), json);
            Files.copy(file, dir.resolve("latest.json"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
        return file;
    }
}
