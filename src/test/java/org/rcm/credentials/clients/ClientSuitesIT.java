package org.rcm.credentials.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestGrpc;

/**
 * The Python and Node clients' own test suites ({@code clients/python}, {@code clients/node}),
 * each in a process of its own, against the packaged broker: a worker and an admin of a fresh
 * tenant, an admin of another fresh tenant, and the local AWS endpoint's control API, passed in
 * environment variables (see {@code clients/README.md}). The runners' output goes to standard
 * output, so that their summaries show in the build log. Without python3-grpcio or the Node
 * client's node_modules a suite is skipped, except under CI=true, where it fails.
 */
@QuarkusIntegrationTest
class ClientSuitesIT {

    private static final Path CLIENTS = Path.of("clients").toAbsolutePath();
    private static final String PYTHON = "/usr/bin/python3";
    private static final long SUITE_TIMEOUT_MINUTES = 10;
    /** The environment that describes the broker to the suites (see clients/README.md, "Tests"). */
    private static Map<String, String> broker;

    @BeforeAll
    static void describeTheBroker() {
        String tenantA = "clients-a-" + UUID.randomUUID();
        String tenantB = "clients-b-" + UUID.randomUUID();
        Map<String, String> env = new HashMap<>();
        env.put("RCM_TARGET", "localhost:" + TestGrpc.port());
        env.put("RCM_CA", TestEnvironment.pkiDir().resolve("ca.crt").toString());
        env.put("RCM_AWS_URL", TestEnvironment.awsUri().toString());
        env.put("RCM_AWS_MAX_ATTEMPTS", TestEnvironment.brokerConfig().getOrDefault("rcm.aws.max-attempts", "3"));
        env.putAll(certificate("WORKER", tenantA, "worker"));
        env.putAll(certificate("ADMIN", tenantA, "admin"));
        env.putAll(certificate("OTHER_ADMIN", tenantB, "admin"));
        broker = Map.copyOf(env);
    }

    @Test
    void thePythonClientSuitePasses() throws Exception {
        require(succeeds(PYTHON, "-c", "import grpc, grpc_tools"),
                "python3-grpcio and python3-grpc-tools (apt-get install -y python3-grpcio python3-grpc-tools)");

        assertSuitePasses("python", PYTHON, "-m", "unittest", "discover", "-v");
    }

    @Test
    void theNodeClientSuitePasses() throws Exception {
        require(succeeds("node", "--version") && Files.isDirectory(CLIENTS.resolve("node/node_modules/@grpc/grpc-js")),
                "node and clients/node/node_modules (cd clients/node && npm ci)");

        assertSuitePasses("node", "node", "--test");
    }

    /** Issues {@code tenant}'s {@code role} certificate (TestGrpc does, for its channel): RCM_{name}_CERT and _KEY. */
    private static Map<String, String> certificate(String name, String tenant, String role) {
        TestGrpc.channel(tenant, role);
        Path pki = TestEnvironment.pkiDir();
        String file = "own-" + tenant + "-" + role;
        return Map.of("RCM_" + name + "_CERT", pki.resolve(file + ".crt").toString(),
                "RCM_" + name + "_KEY", pki.resolve(file + ".key").toString());
    }

    /** Skips on a developer's machine without {@code what}; fails under CI=true, which must not pass unchecked. */
    private static void require(boolean present, String what) {
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError(what + " missing: with CI=true the client suites must run");
        }
        assumeTrue(present, what + " missing");
    }

    private static void assertSuitePasses(String client, String... command) throws IOException, InterruptedException {
        Path folder = CLIENTS.resolve(client);
        ProcessBuilder builder = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true);
        builder.environment().putAll(broker);
        // the runner's own output, summary included, belongs in the build log
        System.out.printf("==== clients/%s: %s%n", client, String.join(" ", command));
        Process process = builder.start();
        Thread copy = new Thread(() -> copyToStandardOutput(process), "clients-" + client + "-output");
        copy.start();
        if (!process.waitFor(SUITE_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("clients/" + client + " did not finish in " + SUITE_TIMEOUT_MINUTES + " minutes");
        }
        copy.join(TimeUnit.SECONDS.toMillis(10));
        System.out.printf("==== clients/%s: exit status %d%n", client, process.exitValue());
        assertEquals(0, process.exitValue(), "clients/" + client + ": " + String.join(" ", command));
    }

    private static void copyToStandardOutput(Process process) {
        try (BufferedReader output = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            output.lines().forEach(System.out::println);
        } catch (IOException e) {
            System.out.println("(the suite's output broke off: " + e.getMessage() + ")");
        }
    }

    private static boolean succeeds(String... command) {
        try {
            Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
