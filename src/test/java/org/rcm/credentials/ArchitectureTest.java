package org.rcm.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shape of {@code src/main/java}, read from the sources: no package depends on a package
 * that depends back on it (directly or through others), no class grows past 300 lines, and
 * README's architecture section names every package.
 */
class ArchitectureTest {

    private static final Path ROOT = Path.of("src/main/java/org/rcm/credentials");
    private static final Pattern REFERENCE = Pattern.compile("\\borg\\.rcm\\.credentials\\.([a-z]+)\\.");
    private static final int MAX_LINES = 300;

    @Test
    void noPackageDependsOnAPackageThatDependsOnIt() {
        Map<String, Set<String>> graph = dependencies();

        List<String> cycles = new ArrayList<>();
        for (String from : graph.keySet()) {
            for (String to : graph.get(from)) {
                if (reaches(graph, to, from, new TreeSet<>())) {
                    cycles.add(from + " -> " + to + " -> ... -> " + from);
                }
            }
        }

        assertThat(cycles).as("package cycles in %s", graph).isEmpty();
    }

    @Test
    void noClassIsLongerThan300Lines() {
        Map<String, Long> tooLong = new TreeMap<>();
        for (Path file : sources()) {
            long lines = lines(file).size();
            if (lines > MAX_LINES) {
                tooLong.put(ROOT.relativize(file).toString(), lines);
            }
        }

        assertThat(tooLong).isEmpty();
    }

    @Test
    void readmeArchitectureNamesEveryPackage() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String architecture = readme.substring(readme.indexOf("## Architecture"));
        architecture = architecture.substring(0, architecture.indexOf("\n## ", 1));

        for (String pkg : dependencies().keySet()) {
            assertThat(Pattern.compile("(^|\\s|`)" + pkg + "/(\\s|`)", Pattern.MULTILINE).matcher(architecture).find())
                    .as("README's architecture section names %s/", pkg).isTrue();
        }
    }

    /** Package to the packages of this project it references (generated {@code api} excluded). */
    private static Map<String, Set<String>> dependencies() {
        Map<String, Set<String>> graph = new TreeMap<>();
        for (Path file : sources()) {
            String pkg = ROOT.relativize(file).getName(0).toString();
            Set<String> uses = graph.computeIfAbsent(pkg, p -> new TreeSet<>());
            for (String line : lines(file)) {
                if (line.startsWith("package ")) {
                    continue;
                }
                Matcher m = REFERENCE.matcher(line);
                while (m.find()) {
                    if (!m.group(1).equals(pkg) && !m.group(1).equals("api")) {
                        uses.add(m.group(1));
                    }
                }
            }
        }
        return graph;
    }

    private static boolean reaches(Map<String, Set<String>> graph, String from, String target, Set<String> seen) {
        if (from.equals(target)) {
            return true;
        }
        if (!seen.add(from)) {
            return false;
        }
        return graph.getOrDefault(from, Set.of()).stream().anyMatch(next -> reaches(graph, next, target, seen));
    }

    private static List<Path> sources() {
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(f -> f.toString().endsWith(".java")).filter(f -> f.getNameCount() > ROOT.getNameCount() + 1)
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
