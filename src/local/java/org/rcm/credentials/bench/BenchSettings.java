package org.rcm.credentials.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The benchmark's settings. Each is read from the system property {@code bench.<name>}, else the
 * environment variable {@code RCM_BENCH_<NAME>}, else its default; {@code bench.smoke=true}
 * changes the defaults to a run of a few seconds per scenario.
 *
 * @param smoke          a short run for CI (every run fails on any error or audit-row mismatch)
 * @param warmup         full load on each fresh broker JVM before anything is measured
 * @param scenarioWarmup load before each measured window
 * @param duration       each measured window
 * @param rounds         rounds of {@code empty} and {@code get-hit}, in alternating order
 * @param connections    gRPC connections per client identity
 * @param inFlight       calls in flight per connection (closed loop)
 * @param writeInFlight  calls in flight per connection of the write scenarios ({@code store}, {@code rotate}), each
 *                       on a portal of its own: admin traffic is light, and 128 writes at once on a cold path
 *                       measure queueing, not the service
 * @param minCalls       a closed-loop window lasts {@code duration} and longer, until this many calls have
 *                       completed in it (bounded by {@code maxWindow}), so that a slow scenario on a slow
 *                       machine still measures calls
 * @param maxWindow      the longest a closed-loop window is extended for {@code minCalls}
 * @param portals        warm portals that {@code get-hit} cycles through
 * @param herds          cold-portal herds; {@code herdSize} concurrent calls each
 * @param herdSize       concurrent GetCredentials per herd
 * @param awsLatency     latency the local AWS endpoint adds to every call
 * @param serverJvmOptions extra JVM options of the broker processes (space-separated)
 * @param jfr            record a JFR profile of the main broker into {@code target/bench/main.jfr}
 * @param dbUrl          an external PostgreSQL ({@code postgresql://user:password@host:port/db}); empty: embedded
 * @param slowsyncMicros microseconds the slowsync shim adds to every fsync of the embedded PostgreSQL; 0: off
 */
record BenchSettings(boolean smoke, Duration warmup, Duration scenarioWarmup, Duration duration, int rounds,
        int connections, int inFlight, int writeInFlight, int minCalls, Duration maxWindow, int portals, int herds, int herdSize, Duration awsLatency,
        List<String> serverJvmOptions, boolean jfr, Optional<String> dbUrl, long slowsyncMicros) {

    static BenchSettings load() {
        boolean smoke = Boolean.parseBoolean(value("smoke", "false"));
        return new BenchSettings(smoke,
                seconds("warmup", smoke ? "3" : "30"),
                seconds("scenario-warmup", smoke ? "1" : "2"),
                seconds("duration", smoke ? "2" : "10"),
                Integer.parseInt(value("rounds", smoke ? "1" : "3")),
                Integer.parseInt(value("connections", "4")),
                Integer.parseInt(value("in-flight", "32")),
                Integer.parseInt(value("write-in-flight", "2")),
                Integer.parseInt(value("min-calls", smoke ? "20" : "200")),
                seconds("max-window", "60"),
                Integer.parseInt(value("portals", "16")),
                Integer.parseInt(value("herds", smoke ? "2" : "5")),
                Integer.parseInt(value("herd-size", "100")),
                Duration.ofMillis(Long.parseLong(value("aws-latency-ms", "20"))),
                Arrays.stream(value("server-jvm-options", "").split(" ")).filter(s -> !s.isBlank()).toList(),
                Boolean.parseBoolean(value("jfr", "false")),
                Optional.of(value("db-url", "")).filter(s -> !s.isBlank()),
                Long.parseLong(value("slowsync-us", "0")));
    }

    /** The settings as they go into the results. */
    Map<String, Object> describe() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("smoke", smoke);
        settings.put("warmupSeconds", warmup.toSeconds());
        settings.put("scenarioWarmupSeconds", scenarioWarmup.toSeconds());
        settings.put("durationSeconds", duration.toSeconds());
        settings.put("rounds", rounds);
        settings.put("connections", connections);
        settings.put("inFlightPerConnection", inFlight);
        settings.put("writeInFlightPerConnection", writeInFlight);
        settings.put("minCallsPerWindow", minCalls);
        settings.put("maxWindowSeconds", maxWindow.toSeconds());
        settings.put("portals", portals);
        settings.put("herds", herds);
        settings.put("herdSize", herdSize);
        settings.put("awsLatencyMillis", awsLatency.toMillis());
        settings.put("serverJvmOptions", serverJvmOptions);
        settings.put("database", dbUrl.isPresent() ? "external" : "embedded");
        settings.put("slowsyncMicros", slowsyncMicros);
        return settings;
    }

    private static Duration seconds(String name, String fallback) {
        return Duration.ofMillis((long) (Double.parseDouble(value(name, fallback)) * 1000));
    }

    private static String value(String name, String fallback) {
        String property = System.getProperty("bench." + name);
        if (property != null && !property.isBlank()) {
            return property;
        }
        String env = System.getenv("RCM_BENCH_" + name.toUpperCase(Locale.ROOT).replace('-', '_'));
        return env == null || env.isBlank() ? fallback : env;
    }
}
