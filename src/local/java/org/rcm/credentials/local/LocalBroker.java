package org.rcm.credentials.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged broker ({@code java -jar target/quarkus-app/quarkus-run.jar}) in a child process,
 * configured by {@code -D} properties: for the local run, the replica tests and the benchmark.
 */
public final class LocalBroker implements AutoCloseable {

    public static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    private final Process process;
    private final int grpcPort;
    private final int managementPort;
    private final Instant started;
    /** Stops the broker if this JVM ends without closing it (Ctrl-C, a killed Maven, a CI timeout). */
    private final Thread stopOnExit;

    private LocalBroker(Process process, int grpcPort, int managementPort, Instant started) {
        this.process = process;
        this.grpcPort = grpcPort;
        this.managementPort = managementPort;
        this.started = started;
        this.stopOnExit = new Thread(process::destroy, "stop-broker-" + process.pid());
        Runtime.getRuntime().addShutdownHook(stopOnExit);
    }

    /**
     * Starts a broker with {@code config} on the given ports (0: any free port).
     *
     * @param log where its output goes; null to share this process's standard output
     */
    public static LocalBroker start(Map<String, String> config, int grpcPort, int managementPort, Path log,
            List<String> jvmOptions) {
        return start(config, grpcPort, managementPort, log, jvmOptions, Map.of());
    }

    /** The same, with variables added to the broker's environment. */
    public static LocalBroker start(Map<String, String> config, int grpcPort, int managementPort, Path log,
            List<String> jvmOptions, Map<String, String> environment) {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: build it with ./mvnw package -DskipTests");
        }
        int grpc = grpcPort == 0 ? freePort() : grpcPort;
        int management = managementPort == 0 ? freePort() : managementPort;
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        config.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-Dquarkus.http.ssl-port=" + grpc);
        command.add("-Dquarkus.management.port=" + management);
        command.add("-jar");
        command.add(JAR.toString());
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        if (log == null) {
            builder.inheritIO();
        } else {
            builder.redirectErrorStream(true).redirectOutput(log.toFile());
        }
        try {
            Instant started = Instant.now();
            return new LocalBroker(builder.start(), grpc, management, started);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean grpcListening() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", grpcPort), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Waits until {@code /q/health/ready} answers UP and the gRPC port accepts connections (the
     * management interface may answer a moment before the main server listens); returns the time
     * from start to ready.
     */
    public Duration awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the broker exited with status " + process.exitValue());
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200 && grpcListening()) {
                    return Duration.between(started, Instant.now());
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("the broker was not ready within " + timeout);
    }

    public int grpcPort() {
        return grpcPort;
    }

    public int managementPort() {
        return managementPort;
    }

    public long pid() {
        return process.pid();
    }

    /** Waits for the process to end on its own (the local run). */
    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    /** Stops the broker gracefully (SIGTERM), forcibly after 20 seconds. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException e) {
            // this JVM is stopping: the hook runs anyway
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A TCP port that was free a moment ago. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
