package org.rcm.credentials.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The test run's DEBUG log file ({@code %test.quarkus.log.file.*} in application.properties,
 * AWS SDK request logging included), read over a window: from {@link #open()} to
 * {@link Window#close()}. The file is rotated at every application start and when it grows,
 * so a window is read across the rotated files, oldest first.
 */
public final class TestLog {

    /** An ARN of either secret store with an account id: what must never be logged. */
    public static final Pattern SECRET_ARN = Pattern.compile("arn:aws[\\w-]*:(ssm|secretsmanager):[^:]+:\\d{12}");

    private static final Path DIR = Path.of("target", "test-logs");
    private static final String FILE = "broker.log";
    private static final Pattern ROTATED = Pattern.compile(Pattern.quote(FILE) + "\\.(\\d+)");
    private static final Logger LOG = Logger.getLogger(TestLog.class);

    private TestLog() {
    }

    /** Starts a window at a marker line logged now. */
    public static Window open() {
        String begin = "test-log-begin-" + token();
        LOG.info(begin);
        return new Window(begin);
    }

    /**
     * Twenty random lowercase letters: unique to a run, and free of digits, which the log's
     * masking filter could take for an account id.
     */
    public static String token() {
        StringBuilder token = new StringBuilder();
        ThreadLocalRandom.current().ints(20, 'a', 'z' + 1).forEach(c -> token.append((char) c));
        return token.toString();
    }

    /**
     * The JSON log lines of a window's text ({@link Window#close}), parsed: the window runs from
     * inside the begin marker's line to inside the end marker's, so the whole lines between.
     */
    public static List<JsonNode> jsonLines(String logged) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : logged.substring(logged.indexOf('\n') + 1, logged.lastIndexOf('\n')).split("\n")) {
            if (!line.isBlank()) {
                lines.add(json.readTree(line));
            }
        }
        return lines;
    }

    /**
     * Fails when {@code text} contains an ARN of either store, or any of {@code written}
     * (secret values, parameter paths), naming the first offending line.
     */
    public static void assertNoSecretReference(String text, Collection<String> written) {
        Matcher arn = SECRET_ARN.matcher(text);
        if (arn.find()) {
            throw new AssertionError("an ARN reached the log: " + lineAt(text, arn.start()));
        }
        for (String forbidden : written) {
            int at = text.indexOf(forbidden);
            if (at >= 0) {
                throw new AssertionError("'" + forbidden + "' reached the log: " + lineAt(text, at));
            }
        }
    }

    /** A stretch of the log between two marker lines. */
    public static final class Window {

        private final String begin;

        private Window(String begin) {
            this.begin = begin;
        }

        /** Logs an end marker and returns everything between the markers, once the file holds it. */
        public String close() throws Exception {
            String end = "test-log-end-" + token();
            LOG.info(end);
            AtomicReference<String> logged = new AtomicReference<>();
            Await.until(Duration.ofSeconds(10), () -> {
                String all = readAll();
                int from = all.indexOf(begin);
                int to = all.indexOf(end);
                if (from < 0 || to < from) {
                    return false;
                }
                logged.set(all.substring(from, to));
                return true;
            });
            return logged.get();
        }
    }

    /** The rotated files (highest number first: the oldest), then the current one. */
    private static String readAll() throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(DIR)) {
            files = listing
                    .filter(file -> file.getFileName().toString().equals(FILE)
                            || ROTATED.matcher(file.getFileName().toString()).matches())
                    .sorted(Comparator.comparingInt(TestLog::rotation).reversed())
                    .toList();
        }
        StringBuilder all = new StringBuilder();
        for (Path file : files) {
            all.append(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
        }
        return all.toString();
    }

    private static int rotation(Path file) {
        Matcher rotated = ROTATED.matcher(file.getFileName().toString());
        return rotated.matches() ? Integer.parseInt(rotated.group(1)) : 0;
    }

    private static String lineAt(String text, int index) {
        int start = text.lastIndexOf('\n', index) + 1;
        int end = text.indexOf('\n', index);
        String line = text.substring(start, end < 0 ? text.length() : end);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
