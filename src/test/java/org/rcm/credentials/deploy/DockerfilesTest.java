package org.rcm.credentials.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rcm.credentials.deploy.Manifests.DOCKER;
import static org.rcm.credentials.deploy.Manifests.applicationDefaultPort;
import static org.rcm.credentials.deploy.Manifests.applicationProperties;
import static org.rcm.credentials.deploy.Manifests.dockerfiles;
import static org.rcm.credentials.deploy.Manifests.map;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.bench.ContainerJvm;

/** Invariants of src/main/docker/: users, ports, pinned base images, no baked-in configuration or secrets. */
class DockerfilesTest {

    @Test
    void dockerfilesExposeBothPorts() throws IOException {
        Set<String> expected = Set.of(String.valueOf(applicationDefaultPort("quarkus.http.ssl-port")),
                String.valueOf(applicationDefaultPort("quarkus.management.port")));
        for (Path dockerfile : dockerfiles()) {
            Set<String> exposed = new TreeSet<>();
            for (String line : Files.readAllLines(dockerfile)) {
                if (line.startsWith("EXPOSE ")) {
                    exposed.addAll(List.of(line.substring("EXPOSE ".length()).trim().split("\\s+")));
                }
            }
            assertThat(exposed).as(dockerfile.getFileName().toString()).isEqualTo(expected);
        }
    }

    @Test
    void imagesRunAsUser1001() throws IOException {
        for (Path dockerfile : dockerfiles()) {
            List<String> users = Files.readAllLines(dockerfile).stream().filter(l -> l.startsWith("USER ")).toList();
            assertThat(users).as(dockerfile.getFileName().toString()).isNotEmpty();
            assertThat(users.get(users.size() - 1)).as(dockerfile.getFileName().toString()).isEqualTo("USER 1001");
        }
    }

    @Test
    void multiStageBuilderIsTheConfiguredBuilderImage() throws IOException {
        String configured = applicationProperties().getProperty("quarkus.native.builder-image");
        List<String> from = Files.readAllLines(DOCKER.resolve("Dockerfile.native-multistage")).stream()
                .filter(l -> l.startsWith("FROM "))
                .toList();
        assertThat(from.get(0)).isEqualTo("FROM " + configured + " AS build");
        assertThat(configured).startsWith("quay.io/quarkus/ubi9-quarkus-mandrel-builder-image:");
    }

    @Test
    void baseImagesArePinnedToATag() throws IOException {
        for (Path dockerfile : dockerfiles()) {
            for (String line : Files.readAllLines(dockerfile)) {
                if (line.startsWith("FROM ")) {
                    String image = line.split("\\s+")[1];
                    assertThat(image).as(line).containsPattern(":[^/]+$").doesNotEndWith(":latest");
                }
            }
        }
    }

    /**
     * No configuration and no secret in an image. The one exception is a public trust anchor:
     * the database CA bundle that RCM_DB_CA_CERT points to by default, like the system's CA store.
     */
    @Test
    void dockerfilesBakeInNoConfigurationOrSecrets() throws IOException {
        Pattern forbidden = Pattern.compile("^(ENV|ARG)\\b.*(RCM_|PASSWORD|SECRET|TOKEN|PRIVATE)",
                Pattern.CASE_INSENSITIVE);
        for (Path dockerfile : dockerfiles()) {
            assertThat(Files.readAllLines(dockerfile)).as(dockerfile.getFileName().toString())
                    .noneMatch(line -> forbidden.matcher(line).find() && !line.startsWith("ENV RCM_DB_CA_CERT=/etc/rcm/db-ca/"))
                    .noneMatch(line -> line.startsWith("COPY") && line.matches(".*\\.(pem|key|p12|jks)\\b.*"));
        }
    }

    @Test
    void everyImageTrustsTheDatabaseCaForVerifiedTls() throws IOException {
        for (Path dockerfile : dockerfiles()) {
            String text = Files.readString(dockerfile);
            String path = text.lines().filter(line -> line.startsWith("ENV RCM_DB_CA_CERT="))
                    .map(line -> line.substring("ENV RCM_DB_CA_CERT=".length())).findFirst().orElse(null);
            assertThat(path).as(dockerfile + " sets RCM_DB_CA_CERT").isNotNull();
            assertThat(text).as(dockerfile + " puts a CA bundle there").containsPattern("(?m)^(ADD|COPY) .* " + path + "$");
        }
        assertThat(applicationProperties().getProperty("quarkus.datasource.reactive.postgresql.ssl-mode"))
                .isEqualTo("${RCM_DB_SSL_MODE:verify-full}");
    }

    /**
     * The JVM image's options and environment, as its entry point passes them, start a JVM of the
     * image's major version without a warning: a misspelt or unknown option would stop every
     * container at start.
     */
    @Test
    void theJvmImageOptionsStartAJvm() throws IOException, InterruptedException {
        ContainerJvm jvm = ContainerJvm.fromDockerfile();
        assertThat(Files.readString(ContainerJvm.DOCKERFILE)).contains("openjdk-" + Runtime.version().feature() + "-runtime:");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvm.options());
        command.add("-version");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(jvm.environment());
        Process java = builder.start();
        String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(java.waitFor()).as(output).isZero();
        assertThat(output).doesNotContainIgnoringCase("warning").doesNotContainIgnoringCase("unrecognized");
        assertThat(jvm.environment()).containsEntry("MALLOC_ARENA_MAX", "2");
    }
}
