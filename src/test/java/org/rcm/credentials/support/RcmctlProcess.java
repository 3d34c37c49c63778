package org.rcm.credentials.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code rcmctl} in a JVM of its own, as an operator runs it, against the broker under test. */
public final class RcmctlProcess {

    /** Its exit status and its output (standard output and error together). */
    public record Result(int status, String output) {
    }

    private RcmctlProcess() {
    }

    /**
     * Runs rcmctl with the admin certificate of {@code tenant} ({@link TestGrpc#channel} issues
     * it): {@code args} are the flags and, last, the command.
     */
    public static Result run(String tenant, String... args) throws IOException, InterruptedException {
        Path pki = TestEnvironment.pkiDir();
        String name = "own-" + tenant + "-admin";
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), "org.rcm.credentials.local.Rcmctl",
                "-cert", pki.resolve(name + ".crt").toString(), "-key", pki.resolve(name + ".key").toString(),
                "-cacert", pki.resolve("ca.crt").toString()));
        command.addAll(List.of(args).subList(0, args.length - 1));
        command.add("localhost:" + TestGrpc.port());
        command.add(args[args.length - 1]);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("rcmctl did not finish: " + output);
        }
        return new Result(process.exitValue(), output);
    }
}
