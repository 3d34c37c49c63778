package org.rcm.credentials.local.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * A local, wire-compatible fake of AWS SSM Parameter Store and Secrets Manager (AWS JSON 1.1 on
 * {@code POST /}) and of STS's AssumeRole (the Query protocol, {@link QueryProtocol}) for tests,
 * the local run and the benchmark; never for production. Point the SDK at {@link #uri()} with
 * {@code endpointOverride}; signatures are not checked, but a call signed with temporary
 * credentials from AssumeRole may only name resources of its session's {@code TenantId} tag
 * ({@link TemporaryCredentials}); other keys have full access. Faults are
 * injected through {@link #faults()} or, from another process, through the control API under
 * {@code /_local/} (see {@link LocalAwsControl}). Nothing is logged, values least of all.
 */
public final class LocalAwsEndpoint implements AutoCloseable {

    /** The target of STS's AssumeRole in call counts and {@link Faults}. */
    public static final String ASSUME_ROLE = SecurityTokenService.PREFIX + "AssumeRole";

    /**
     * How to start the endpoint; begin with {@link #defaults()}.
     *
     * @param port        the TCP port; 0 picks a free one
     * @param bindAddress the address to listen on
     * @param region      the region in ARNs
     * @param accountId   the account id in ARNs
     * @param stateFile   state is loaded from here at start and saved after each change; null keeps it in memory
     * @param latency     latency added to every call, unless {@link Faults} say otherwise
     */
    public record Options(int port, String bindAddress, String region, String accountId, Path stateFile,
            Duration latency) {

        /** A free port on 127.0.0.1, us-east-1, account 000000000000, state in memory, no latency. */
        public static Options defaults() {
            return new Options(0, "127.0.0.1", "us-east-1", "000000000000", null, Duration.ZERO);
        }

        public Options withPort(int port) {
            return new Options(port, bindAddress, region, accountId, stateFile, latency);
        }

        public Options withBindAddress(String bindAddress) {
            return new Options(port, bindAddress, region, accountId, stateFile, latency);
        }

        public Options withRegion(String region) {
            return new Options(port, bindAddress, region, accountId, stateFile, latency);
        }

        public Options withAccountId(String accountId) {
            return new Options(port, bindAddress, region, accountId, stateFile, latency);
        }

        public Options withStateFile(Path stateFile) {
            return new Options(port, bindAddress, region, accountId, stateFile, latency);
        }

        public Options withLatency(Duration latency) {
            return new Options(port, bindAddress, region, accountId, stateFile, latency);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(LocalAwsEndpoint::daemonThread);
    private final Faults faults;
    private final List<AwsService> services;
    private final TemporaryCredentials credentials;
    private final Path stateFile;
    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();

    private LocalAwsEndpoint(HttpServer server, Options options) {
        Clock clock = Clock.systemUTC();
        this.server = server;
        this.faults = new Faults(options.latency());
        this.credentials = new TemporaryCredentials(clock);
        this.services = List.of(new SsmParameterStore(options.region(), options.accountId(), clock),
                new SecretsManagerStore(options.region(), options.accountId(), clock),
                new SecurityTokenService(credentials, clock));
        this.stateFile = options.stateFile();
    }

    /** Starts the endpoint, after loading the state file when there is one. */
    public static LocalAwsEndpoint start(Options options) {
        // The JDK server flushes headers and body separately: without TCP_NODELAY each answer waits
        // for the client's delayed ACK (~40 ms). Read once, when the server implementation loads.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        // It also closes a connection idle for 30 s, while the SDK keeps idle connections for up to
        // 60 s (its default maximum idle time, which assumes AWS keeps them open longer): a request
        // sent on a connection the server has just closed fails with an I/O error and costs an
        // attempt, and three in a row fail the call. Idle connections stay open 120 s here.
        if (System.getProperty("sun.net.httpserver.idleInterval") == null) {
            System.setProperty("sun.net.httpserver.idleInterval", "120");
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(options.bindAddress(), options.port()), 256);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the local AWS endpoint on port " + options.port(), e);
        }
        LocalAwsEndpoint endpoint = new LocalAwsEndpoint(server, options);
        try {
            endpoint.loadState();
        } catch (IOException | IllegalArgumentException e) {
            server.stop(0);
            throw new IllegalStateException("could not load the local AWS state from " + options.stateFile(), e);
        }
        server.setExecutor(endpoint.executor);
        server.createContext("/", endpoint::handle);
        server.createContext("/_local/", new ControlApi(endpoint));
        server.start();
        return endpoint;
    }

    /** The base URI, e.g. {@code http://127.0.0.1:4566}. */
    public URI uri() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + port());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public Faults faults() {
        return faults;
    }

    /** How many calls reached {@code target}, e.g. {@code AmazonSSM.GetParameter}, faulted ones included. */
    public long calls(String target) {
        LongAdder count = calls.get(target);
        return count == null ? 0 : count.sum();
    }

    /** The call count of every target called since the last reset. */
    public Map<String, Long> calls() {
        Map<String, Long> counts = new TreeMap<>();
        calls.forEach((target, count) -> counts.put(target, count.sum()));
        return counts;
    }

    public void resetCalls() {
        calls.clear();
    }

    /**
     * Makes every session that AssumeRole issued expired: calls signed with them answer
     * ExpiredTokenException, as when their time runs out.
     */
    public void expireSessions() {
        credentials.expireAll();
        saveState();
    }

    /** Removes every parameter and secret (from the state file too); issued sessions stay valid. */
    public void clearState() {
        services.forEach(AwsService::clear);
        saveState();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            Headers headers = exchange.getRequestHeaders();
            Wire wire = Wire.of(headers, exchange.getRequestBody().readAllBytes());
            Signature signature = new Signature(headers.getFirst("Authorization"), headers.getFirst("X-Amz-Security-Token"));
            String requestId = UUID.randomUUID().toString();
            int status = 200;
            byte[] bytes;
            try {
                bytes = wire.answer(answer(wire.target(), wire::input, signature), requestId);
            } catch (AwsError e) {
                status = e.status();
                bytes = wire.error(e, requestId);
            }
            exchange.getResponseHeaders().set("Content-Type", wire.contentType());
            exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        } finally {
            exchange.close();
        }
    }

    /** How a call was signed: its {@code Authorization} and {@code X-Amz-Security-Token} headers. */
    private record Signature(String authorization, String securityToken) {
    }

    /**
     * Authorises, picks the call's fault, counts, waits (refused calls too), applies the fault,
     * runs the operation and saves the state after a change. The fault and latency are those in
     * force when the call arrives, so a call still waiting out an earlier latency cannot take a
     * fault meant for a later one; a call is counted once its fault is chosen.
     */
    private ObjectNode answer(String target, Supplier<JsonInput> request, Signature signature) {
        Duration latency = faults.latencyFor(target);
        AwsService service;
        String operation;
        JsonInput input;
        Faults.Fault injected;
        try {
            service = services.stream()
                    .filter(candidate -> target.startsWith(candidate.targetPrefix()))
                    .findFirst()
                    .orElseThrow(() -> AwsError.client("UnknownOperationException", "Unknown operation " + target));
            operation = target.substring(service.targetPrefix().length());
            input = request.get();
            String resource = input.text("Name").or(() -> input.text("SecretId")).orElse(null);
            if (service.scopedToSessionTenant()) {
                credentials.authorize(signature.authorization(), signature.securityToken(), operation, resource);
            }
            injected = faults.take(target, resource);
        } finally {
            calls.computeIfAbsent(target, key -> new LongAdder()).increment();
            sleep(latency);
        }
        Faults.Mode fault = injected == null ? null : injected.mode();
        if (fault == Faults.Mode.THROTTLE) {
            throw AwsError.client(service.throttlingCode(), "Rate exceeded");
        }
        if (fault == Faults.Mode.DENY) {
            throw service.denied(target);
        }
        if (fault == Faults.Mode.ERROR) {
            throw AwsError.client(injected.errorCode(), "Injected " + injected.errorCode() + " for " + target);
        }
        if (fault == Faults.Mode.FAIL) {
            throw AwsError.server(service.internalErrorCode());
        }
        // From here on the fault is null or FAIL_AFTER_APPLY: the operation runs either way.
        try {
            ObjectNode output = service.execute(operation, input);
            if (!operation.startsWith("Get") && !operation.startsWith("Describe")) {
                saveState();
            }
            if (fault == null) {
                return output;
            }
        } catch (AwsError e) {
            if (fault == null) {
                throw e;
            }
        } catch (RuntimeException e) {
            throw AwsError.server(service.internalErrorCode());
        }
        throw AwsError.server(service.internalErrorCode());
    }

    private void loadState() throws IOException {
        if (stateFile != null && Files.exists(stateFile)) {
            JsonNode state = Json.MAPPER.readTree(stateFile.toFile());
            services.stream()
                    .filter(service -> state.has(service.targetPrefix()))
                    .forEach(service -> service.restore(state.get(service.targetPrefix())));
        }
    }

    /** Writes every service's state to a temporary file, then moves it over the state file. */
    private synchronized void saveState() {
        if (stateFile == null) {
            return;
        }
        ObjectNode state = Json.object();
        services.forEach(service -> state.set(service.targetPrefix(), service.snapshot()));
        try {
            Path directory = Files.createDirectories(stateFile.toAbsolutePath().getParent());
            Path temporary = Files.createTempFile(directory, stateFile.getFileName().toString(), ".tmp");
            Json.MAPPER.writeValue(temporary.toFile(), state);
            Files.move(temporary, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not save the local AWS state to " + stateFile, e);
        }
    }

    private static void sleep(Duration latency) {
        try {
            Thread.sleep(latency.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemonThread(Runnable runnable) {
        Thread thread = new Thread(runnable, "local-aws");
        thread.setDaemon(true);
        return thread;
    }
}
