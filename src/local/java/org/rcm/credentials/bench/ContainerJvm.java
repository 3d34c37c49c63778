package org.rcm.credentials.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM options of the JVM image as the benchmark's {@code container} broker runs them: the
 * collector options and {@code JAVA_OPTS_APPEND} that {@code src/main/docker/Dockerfile.jvm}
 * sets (which the image's {@code run-java.sh} passes last, so they win over its defaults), in
 * the memory of the k8s Deployment's limit ({@code -XX:MaxRAM}, which JVM ergonomics reads as
 * a container's limit). CPUs are not limited: the comparison with the main broker is of heap
 * and collector only.
 */
final class ContainerJvm {

    /** {@code k8s/base/deployment.yaml}'s memory limit. */
    static final String MEMORY_LIMIT = "512m";
    private static final Path DOCKERFILE = Path.of("src", "main", "docker", "Dockerfile.jvm");
    private static final Pattern ENV = Pattern.compile("^ENV (GC_CONTAINER_OPTIONS|JAVA_OPTS_APPEND)=\"([^\"]*)\"",
            Pattern.MULTILINE);

    private ContainerJvm() {
    }

    static List<String> options() {
        List<String> options = new ArrayList<>(List.of("-XX:MaxRAM=" + MEMORY_LIMIT));
        try {
            Matcher env = ENV.matcher(Files.readString(DOCKERFILE));
            int found = 0;
            for (; env.find(); found++) {
                options.addAll(Arrays.asList(env.group(2).trim().split("\\s+")));
            }
            if (found != 2) {
                throw new IllegalStateException(DOCKERFILE + " no longer sets GC_CONTAINER_OPTIONS and JAVA_OPTS_APPEND");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return options;
    }
}
