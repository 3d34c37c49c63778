package org.rcm.credentials.bench;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Emulates a durable disk under the embedded PostgreSQL with the shared slowsync shim
 * ({@code ../shared/tools/slowsync}), which adds {@code SLOW_SYNC_US} after every fsync. The
 * embedded server inherits this JVM's environment, which cannot change once it runs: the
 * benchmark compiles the shim into {@code target/bench/} and runs itself again in a child JVM
 * with {@code LD_PRELOAD} set. The brokers inherit it too, but only PostgreSQL flushes to disk.
 */
final class Slowsync {

    private static final Path SOURCE = Path.of(System.getenv().getOrDefault("RCM_BENCH_SLOWSYNC_SRC",
            "../shared/tools/slowsync/slowsync.c"));

    private Slowsync() {
    }

    /** True when the shim is already loaded into this process. */
    static boolean active() {
        return System.getenv().getOrDefault("LD_PRELOAD", "").contains("libslowsync");
    }

    /** Runs {@link Benchmark} again with the shim preloaded; returns its exit status. */
    static int relaunch(long micros, Path dir) throws IOException, InterruptedException {
        if (!Files.isRegularFile(SOURCE)) {
            throw new IllegalStateException("bench.slowsync-us needs the slowsync shim's source: " + SOURCE.toAbsolutePath()
                    + " is missing; set RCM_BENCH_SLOWSYNC_SRC to its slowsync.c");
        }
        Path library = dir.resolve("libslowsync.so").toAbsolutePath();
        Process gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-O2", "-o", library.toString(), SOURCE.toString(), "-ldl")
                .inheritIO().start();
        if (gcc.waitFor() != 0 || !Files.exists(library)) {
            throw new IllegalStateException("could not compile " + SOURCE + " with gcc");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        System.getProperties().stringPropertyNames().stream()
                .filter(name -> name.startsWith("bench."))
                .forEach(name -> command.add("-D" + name + "=" + System.getProperty(name)));
        command.add("-cp");
        command.add(classpath());
        command.add(Benchmark.class.getName());
        ProcessBuilder child = new ProcessBuilder(command).inheritIO();
        child.environment().put("LD_PRELOAD", library.toString());
        child.environment().put("SLOW_SYNC_US", String.valueOf(micros));
        Process benchmark = child.start();
        Thread stopOnExit = new Thread(benchmark::destroy, "stop-benchmark");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
        int status = benchmark.waitFor();
        Runtime.getRuntime().removeShutdownHook(stopOnExit);
        return status;
    }

    /** This program's class path: exec:java runs it in a class loader of its own, not on java.class.path. */
    private static String classpath() {
        if (Benchmark.class.getClassLoader() instanceof URLClassLoader loader) {
            List<String> entries = new ArrayList<>();
            for (URL url : loader.getURLs()) {
                try {
                    entries.add(Path.of(url.toURI()).toString());
                } catch (URISyntaxException e) {
                    throw new IllegalStateException(e);
                }
            }
            return entries.stream().collect(Collectors.joining(File.pathSeparator));
        }
        return System.getProperty("java.class.path");
    }
}
