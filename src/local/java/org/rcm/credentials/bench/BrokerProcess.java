package org.rcm.credentials.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.rcm.credentials.local.LocalBroker;
import org.rcm.credentials.local.MetricsText;

/**
 * One broker under test, a {@link LocalBroker} (the packaged jar in a child process) with its log
 * in {@code target/bench/<name>.log}. Knows how long it took from process start to ready, and
 * reads its figures: CPU time, write calls and RSS from {@code /proc}, counters from
 * {@code /q/metrics}.
 */
final class BrokerProcess implements AutoCloseable {

    private static final Pattern STARTED_IN = Pattern.compile("started in ([0-9.]+)s");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final int GET_ATTEMPTS = 4;
    private static final String JCMD = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();

    /** The process's figures at one moment (memory in MB, times in seconds). */
    record Figures(double startToServingSeconds, double startedInSeconds, double rssMb, double peakRssMb,
            double heapCommittedMb, long gcPauses, double gcPauseSeconds) {
    }

    private final String name;
    private final LocalBroker broker;
    private final Path log;
    private final double startToServingSeconds;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private BrokerProcess(String name, LocalBroker broker, Path log, double startToServingSeconds) {
        this.name = name;
        this.broker = broker;
        this.log = log;
        this.startToServingSeconds = startToServingSeconds;
    }

    /** Starts the broker with {@code config}, extra JVM options and environment, and waits until it is ready. */
    static BrokerProcess start(String name, Map<String, String> config, List<String> jvmOptions,
            Map<String, String> environment, Path dir) {
        Path log = dir.resolve(name + ".log");
        LocalBroker broker = LocalBroker.start(config, 0, 0, log, jvmOptions, environment);
        try {
            Duration ready = broker.awaitReady(START_TIMEOUT);
            return new BrokerProcess(name, broker, log, ready.toNanos() / 1e9);
        } catch (RuntimeException e) {
            broker.close();
            throw new IllegalStateException("broker " + name + " did not start; see " + log, e);
        }
    }

    String name() {
        return name;
    }

    int grpcPort() {
        return broker.grpcPort();
    }

    long pid() {
        return broker.pid();
    }

    /** Every sample of {@code /q/metrics}, by its line's name and labels, e.g. {@code rcm_audit_rows_total{outcome="written"}}. */
    Map<String, Double> metrics() {
        HttpResponse<String> response = get("/q/metrics");
        if (response.statusCode() != 200) {
            throw new IllegalStateException("broker " + name + " answered /q/metrics with " + response.statusCode());
        }
        return MetricsText.parse(response.body());
    }

    /** CPU time the process has used, user and system, from {@code /proc/<pid>/stat} (10 ms resolution). */
    long cpuNanos() {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid()), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return ticks * 10_000_000L;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Write system calls the process has made ({@code syscw} of {@code /proc/<pid>/io}): one per flush of a socket. */
    long writeCalls() {
        try {
            return Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "io")).stream()
                    .filter(line -> line.startsWith("syscw:"))
                    .mapToLong(line -> Long.parseLong(line.substring(6).trim()))
                    .findFirst()
                    .orElse(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The whole machine's busy and total CPU time in clock ticks, from {@code /proc/stat}: {busy, total}. */
    static long[] machineCpuTicks() {
        try {
            String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < fields.length; i++) {
                total += Long.parseLong(fields[i]);
            }
            long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);
            return new long[] {total - idle, total};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Start-up, memory and GC figures, now. */
    Figures figures() {
        Map<String, Double> samples = metrics();
        return new Figures(startToServingSeconds, startedInSeconds(), status("VmRSS") / 1024.0, status("VmHWM") / 1024.0,
                MetricsText.sum(samples, "jvm_memory_committed_bytes", "area=\"heap\"") / (1024 * 1024),
                (long) MetricsText.sum(samples, "jvm_gc_pause_seconds_count"),
                MetricsText.sum(samples, "jvm_gc_pause_seconds_sum"));
    }

    /** Quarkus' own "started in" figure from its log; 0 when not found. */
    private double startedInSeconds() {
        try {
            Matcher matcher = STARTED_IN.matcher(Files.readString(log));
            return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** A {@code kB} field of {@code /proc/<pid>/status}. */
    private long status(String field) {
        try {
            return Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "status")).stream()
                    .filter(line -> line.startsWith(field + ":"))
                    .map(line -> line.replaceAll("[^0-9]", ""))
                    .mapToLong(Long::parseLong)
                    .findFirst()
                    .orElse(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A management GET; a busy broker gets a few more tries, a second apart, before the benchmark gives up. */
    private HttpResponse<String> get(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + broker.managementPort() + path))
                .timeout(Duration.ofSeconds(10))
                .build();
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 || attempt == GET_ATTEMPTS) {
                    return response;
                }
            } catch (IOException e) {
                if (attempt == GET_ATTEMPTS) {
                    throw new UncheckedIOException(e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            LockSupport.parkNanos(Duration.ofSeconds(attempt).toNanos());
        }
    }

    /**
     * Keeps evidence of calls left unanswered in {@code scenario}: the load driver's view of its
     * connections ({@code clientView}), the broker's threads ({@code jcmd Thread.print}), the TCP
     * sockets with their queues ({@code ss -tnpi}) and the broker's metrics (the audit queue, gRPC
     * calls received and ended), in {@code <dir>/<name>-unanswered-<time>.txt}; returns that file.
     */
    Path keepUnansweredEvidence(String scenario, Path dir, String clientView) {
        Path file = dir.resolve(name + "-unanswered-" + System.currentTimeMillis() + ".txt");
        StringBuilder evidence = new StringBuilder("calls unanswered in ").append(scenario).append('\n');
        evidence.append("\n$ the load driver's connections\n").append(clientView);
        for (List<String> command : List.of(List.of(JCMD, String.valueOf(pid()), "Thread.print"), List.of("ss", "-tnpi"))) {
            evidence.append("\n$ ").append(String.join(" ", command)).append('\n');
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
                evidence.append(new String(process.getInputStream().readAllBytes()));
            } catch (IOException e) {
                evidence.append("could not run it: ").append(e.getMessage()).append('\n');
            }
        }
        evidence.append("\n$ GET /q/metrics\n").append(get("/q/metrics").body());
        try {
            Files.writeString(file, evidence);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Stops the broker as an orchestrator would (SIGTERM, graceful shutdown: queued audit rows are written). */
    @Override
    public void close() {
        broker.close();
    }
}
