package org.rcm.credentials.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM of the JVM image, {@code src/main/docker/Dockerfile.jvm}, as its entry point starts it,
 * in the memory of the k8s Deployment's limit ({@code -XX:MaxRAM}, which JVM ergonomics reads as
 * a container's limit). CPUs are not limited: the benchmark compares heap and collector only.
 *
 * <p>The base image's {@code run-java.sh} passes its own defaults first (rh-openjdk's
 * {@code java-default-options}: the heap at 80 % of the limit, the heap-free ratios and GC
 * ergonomics, exit on OOM), with {@code GC_CONTAINER_OPTIONS} in place of its collector, then
 * {@code JAVA_OPTS_APPEND}, whose options win. The process environment gets the image's other
 * {@code ENV} settings that the JVM reads ({@code MALLOC_ARENA_MAX}).
 */
public record ContainerJvm(List<String> options, Map<String, String> environment) {

    /** {@code k8s/base/deployment.yaml}'s memory limit. */
    static final String MEMORY_LIMIT = "512m";
    public static final Path DOCKERFILE = Path.of("src", "main", "docker", "Dockerfile.jvm");
    /** What {@code run-java.sh} puts before {@code GC_CONTAINER_OPTIONS}, and after it. */
    private static final List<String> IMAGE_DEFAULTS_BEFORE = List.of("-XX:MaxRAMPercentage=80.0");
    private static final List<String> IMAGE_DEFAULTS_AFTER = List.of("-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20",
            "-XX:GCTimeRatio=4", "-XX:AdaptiveSizePolicyWeight=90", "-XX:+ExitOnOutOfMemoryError");
    private static final Pattern OPTIONS = Pattern.compile("^ENV (GC_CONTAINER_OPTIONS|JAVA_OPTS_APPEND)=\"([^\"]*)\"",
            Pattern.MULTILINE);
    private static final Pattern NATIVE_ENV = Pattern.compile("^ENV (MALLOC_ARENA_MAX)=(\\S+)$", Pattern.MULTILINE);

    /** The image's JVM, read from the Dockerfile. */
    public static ContainerJvm fromDockerfile() {
        String dockerfile;
        try {
            dockerfile = Files.readString(DOCKERFILE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, List<String>> set = new LinkedHashMap<>();
        for (Matcher env = OPTIONS.matcher(dockerfile); env.find(); ) {
            set.put(env.group(1), Arrays.asList(env.group(2).trim().split("\\s+")));
        }
        if (set.size() != 2) {
            throw new IllegalStateException(DOCKERFILE + " no longer sets GC_CONTAINER_OPTIONS and JAVA_OPTS_APPEND");
        }
        List<String> options = new ArrayList<>(List.of("-XX:MaxRAM=" + MEMORY_LIMIT));
        options.addAll(IMAGE_DEFAULTS_BEFORE);
        options.addAll(set.get("GC_CONTAINER_OPTIONS"));
        options.addAll(IMAGE_DEFAULTS_AFTER);
        options.addAll(set.get("JAVA_OPTS_APPEND"));
        Map<String, String> environment = new LinkedHashMap<>();
        for (Matcher env = NATIVE_ENV.matcher(dockerfile); env.find(); ) {
            environment.put(env.group(1), env.group(2));
        }
        return new ContainerJvm(List.copyOf(options), Map.copyOf(environment));
    }

    /** For the benchmark's report: the environment, then the options. */
    String describe() {
        StringBuilder text = new StringBuilder();
        environment.forEach((name, value) -> text.append(name).append('=').append(value).append(' '));
        return text.append(String.join(" ", options)).toString();
    }
}
