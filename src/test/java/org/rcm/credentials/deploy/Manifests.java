package org.rcm.credentials.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * What the deployment tests read: the files of k8s/ (and its rendered overlays), src/main/docker/
 * and src/main/aws/, application.properties, and the variables the service knows.
 */
final class Manifests {

    private Manifests() {
    }

    static final Path ROOT = Path.of("").toAbsolutePath();

    static final Path K8S = ROOT.resolve("k8s");

    static final Path DOCKER = ROOT.resolve("src/main/docker");

    static final Path AWS = ROOT.resolve("src/main/aws");

    static final List<String> OVERLAYS = List.of("dev", "prod");

    static final ObjectMapper JSON = new ObjectMapper();

    static final Map<String, List<Map<String, Object>>> RENDERED = new ConcurrentHashMap<>();

    /** The variables the service reads in production (README "Configuration"). */
    static final Set<String> SERVICE_VARIABLES = Set.of("RCM_DB_URL", "RCM_DB_USER", "RCM_DB_PASSWORD",
            "RCM_DB_MIGRATION_USER", "RCM_DB_MIGRATION_PASSWORD",
            "RCM_IDEMPOTENCY_KEY", "RCM_TLS_CERT", "RCM_TLS_KEY", "RCM_TLS_CLIENT_CA", "RCM_ENVIRONMENT",
            "RCM_AWS_REGION", "RCM_AWS_ACCOUNT_ID", "RCM_AWS_TENANT_ROLE_ARN", "RCM_SECRET_STORE_SSM_KMS_KEY_ID",
            "RCM_SECRET_STORE_SECRETS_MANAGER_KMS_KEY_ID");

    /** The KMS key the IAM policy grants; named in the environment like a secret, but it is none. */
    static final Set<String> KMS_KEY_VARIABLES = Set.of("RCM_SECRET_STORE_SSM_KMS_KEY_ID",
            "RCM_SECRET_STORE_SECRETS_MANAGER_KMS_KEY_ID");

    static final Set<String> DATABASE_VARIABLES = Set.of("RCM_DB_URL", "RCM_DB_USER", "RCM_DB_PASSWORD",
            "RCM_DB_MIGRATION_USER", "RCM_DB_MIGRATION_PASSWORD");

    /** Variables whose values are secrets: from a Secret (EKS) or Secrets Manager (ECS), never plain values. */
    static final Set<String> SECRET_VARIABLES = union(DATABASE_VARIABLES, Set.of("RCM_IDEMPOTENCY_KEY"));

    /** Every variable the service knows; anything else in a manifest is a typo. */
    static final Set<String> KNOWN_VARIABLES = union(SERVICE_VARIABLES, Set.of("RCM_DB_POOL_SIZE",
            "RCM_GRPC_HOST", "RCM_GRPC_PORT", "RCM_MANAGEMENT_HOST", "RCM_MANAGEMENT_PORT", "RCM_AWS_PARTITION",
            "RCM_IDENTITY_TRUST_DOMAIN", "RCM_DB_SSL_MODE", "RCM_DB_CA_CERT", "RCM_AWS_TENANT_ROLE_SESSION_DURATION",
            "RCM_AWS_TENANT_ROLE_REFRESH_BEFORE"));

    /** The volume mounted at the directory of the file that {@code variable} names. */
    static String volumeOf(Map<String, Object> container, String variable) {
        String file = (String) env(container).get(variable).get("value");
        return mountedVolume(container, file.substring(0, file.lastIndexOf('/')));
    }

    static List<Map<String, Object>> base() {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (String resource : strings(at(yamlDocuments(K8S.resolve("base/kustomization.yaml")).get(0), "resources"))) {
            documents.addAll(yamlDocuments(K8S.resolve("base").resolve(resource)));
        }
        return documents;
    }

    /**
     * `kubectl kustomize` of an overlay. When kubectl is not installed this skips the calling
     * test, or fails it in CI (CI=true), so that CI cannot pass without checking the overlays.
     */
    static List<Map<String, Object>> render(String overlay) {
        return RENDERED.computeIfAbsent(overlay, Manifests::runKustomize);
    }

    static List<Map<String, Object>> runKustomize(String overlay) {
        Path kubectl = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, "kubectl"))
                .filter(Files::isExecutable)
                .findFirst()
                .orElse(null);
        if (kubectl == null && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("kubectl is not on the PATH: with CI=true the rendered overlays must be checked");
        }
        assumeTrue(kubectl != null, "kubectl is not on the PATH");
        try {
            Path errors = Files.createTempFile("kustomize", ".err");
            Path folder = K8S.resolve("overlays").resolve(overlay);
            Process process = new ProcessBuilder(kubectl.toString(), "kustomize", folder.toString())
                    .redirectError(errors.toFile())
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String message = Files.readString(errors);
            Files.delete(errors);
            assertThat(process.exitValue()).as("kubectl kustomize k8s/overlays/%s: %s", overlay, message).isZero();
            return yamlDocuments(output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static List<Map<String, Object>> yamlDocuments(Path file) {
        try {
            return yamlDocuments(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Map<String, Object>> yamlDocuments(String text) {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(text)) {
            if (document != null) {
                documents.add(map(document));
            }
        }
        return documents;
    }

    static JsonNode json(Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }

    static JsonNode brokerTask() throws IOException {
        JsonNode containers = json(AWS.resolve("ecs-task-definition.json")).get("containerDefinitions");
        return StreamSupport.stream(containers.spliterator(), false)
                .filter(c -> c.get("essential").asBoolean())
                .findFirst()
                .orElseThrow();
    }

    /**
     * IAM actions of the SSM and Secrets Manager calls in src/main/java: {@code ssm.putParameter(...)}
     * on a variable declared as {@code SsmAsyncClient ssm} is ssm:PutParameter.
     */
    static Set<String> awsCallsOfTheService() throws IOException {
        Map<String, String> clients = Map.of("SsmAsyncClient", "ssm", "SecretsManagerAsyncClient", "secretsmanager");
        Pattern declaration = Pattern.compile("\\b(SsmAsyncClient|SecretsManagerAsyncClient)\\s+(\\w+)\\s*[;,)=]");
        Set<String> calls = new TreeSet<>();
        try (Stream<Path> files = Files.walk(ROOT.resolve("src/main/java"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String source = Files.readString(file);
                Matcher declared = declaration.matcher(source);
                while (declared.find()) {
                    Matcher call = Pattern.compile("\\b" + declared.group(2) + "\\.(\\w+)\\(").matcher(source);
                    while (call.find()) {
                        String method = call.group(1);
                        calls.add(clients.get(declared.group(1)) + ":" + Character.toUpperCase(method.charAt(0))
                                + method.substring(1));
                    }
                }
            }
        }
        return calls;
    }

    static List<Path> dockerfiles() throws IOException {
        try (Stream<Path> files = Files.list(DOCKER)) {
            List<Path> found = files.filter(p -> p.getFileName().toString().startsWith("Dockerfile")).sorted().toList();
            assertThat(found).extracting(p -> p.getFileName().toString())
                    .contains("Dockerfile.jvm", "Dockerfile.native", "Dockerfile.native-multistage");
            return found;
        }
    }

    static Properties applicationProperties() {
        Properties properties = new Properties();
        try (var in = Files.newInputStream(ROOT.resolve("src/main/resources/application.properties"))) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    /** The default of a {@code ${VARIABLE:default}} property, e.g. 8443 for quarkus.http.ssl-port. */
    static int applicationDefaultPort(String property) {
        String value = applicationProperties().getProperty(property);
        Matcher m = Pattern.compile("\\$\\{RCM_[A-Z_]+:(\\d+)}").matcher(value);
        assertThat(m.matches()).as(property + "=" + value).isTrue();
        return Integer.parseInt(m.group(1));
    }

    static Map<String, Object> only(List<Map<String, Object>> documents, String kind) {
        List<Map<String, Object>> matching = documents.stream().filter(d -> kind.equals(kind(d))).toList();
        assertThat(matching).as("objects of kind " + kind).hasSize(1);
        return matching.get(0);
    }

    static Map<String, Object> podSpec(List<Map<String, Object>> documents) {
        return map(at(only(documents, "Deployment"), "spec", "template", "spec"));
    }

    static Map<String, Object> brokerContainer(List<Map<String, Object>> documents) {
        List<Object> containers = list(podSpec(documents).get("containers"));
        assertThat(containers).hasSize(1);
        return map(containers.get(0));
    }

    static Map<String, Map<String, Object>> env(Map<String, Object> container) {
        Map<String, Map<String, Object>> env = new LinkedHashMap<>();
        for (Object variable : list(container.get("env"))) {
            env.put((String) map(variable).get("name"), map(variable));
        }
        return env;
    }

    /** A container port, by number or by name. */
    static int containerPort(Map<String, Object> container, Object port) {
        if (port instanceof Integer number) {
            return number;
        }
        return list(container.get("ports")).stream()
                .map(Manifests::map)
                .filter(p -> port.equals(p.get("name")))
                .map(p -> (Integer) p.get("containerPort"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + port));
    }

    static String mountedVolume(Map<String, Object> container, String path) {
        return list(container.get("volumeMounts")).stream()
                .map(Manifests::map)
                .filter(m -> path.equals(m.get("mountPath")))
                .map(m -> (String) m.get("name"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("nothing is mounted at " + path));
    }

    static Map<String, Object> volume(Map<String, Object> podSpec, String name) {
        return list(podSpec.get("volumes")).stream()
                .map(Manifests::map)
                .filter(v -> name.equals(v.get("name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    /** The TCP ports a NetworkPolicy rule opens. */
    static Set<Integer> ports(Object rule) {
        Set<Integer> ports = new TreeSet<>();
        list(map(rule).get("ports")).forEach(p -> ports.add((Integer) map(p).get("port")));
        return ports;
    }

    static String kind(Map<String, Object> document) {
        return (String) document.get("kind");
    }

    static String name(Map<String, Object> document) {
        return (String) at(document, "metadata", "name");
    }

    static Object at(Object node, String... path) {
        Object current = node;
        for (String key : path) {
            if (!(current instanceof Map<?, ?> m)) {
                return null;
            }
            current = m.get(key);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node) {
        assertThat(node).isInstanceOf(Map.class);
        return (Map<String, Object>) node;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object node) {
        assertThat(node).isInstanceOf(List.class);
        return (List<Object>) node;
    }

    static List<String> strings(Object node) {
        return list(node).stream().map(String::valueOf).toList();
    }

    static List<String> texts(JsonNode node) {
        return node.isArray()
                ? StreamSupport.stream(node.spliterator(), false).map(JsonNode::asText).toList()
                : List.of(node.asText());
    }

    static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }
}
