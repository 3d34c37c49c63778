package org.rcm.credentials.local;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.rcm.credentials.api.v1.CredentialAdminServiceGrpc;
import org.rcm.credentials.api.v1.MigrateLegacyCredentialsRequest;
import org.rcm.credentials.api.v1.MigrateLegacyCredentialsResponse;
import org.rcm.credentials.api.v1.PurgeLegacyCredentialsRequest;
import org.rcm.credentials.api.v1.PurgeLegacyCredentialsResponse;
import org.rcm.credentials.api.v1.SecretBackend;

/**
 * {@code rcmctl migrate} and {@code rcmctl purge}: the seed's migration script. Pages through
 * every portal of the tenant of the admin certificate, {@code -limit} portals per call
 * (MigrateLegacyCredentials / PurgeLegacyCredentials with {@code start_after}), prints a line
 * per page and a summary. A call that answers UNAVAILABLE, DEADLINE_EXCEEDED or ABORTED is
 * retried with backoff (both RPCs are idempotent). Exit status: 0 when done, 1 when a portal
 * failed to migrate or a plaintext copy was kept, or an RPC failed for good.
 */
final class LegacyMigrationCommand {

    /** The command's flags: {@code -dry-run}, {@code -limit N} (portals per call, default 100), {@code -backend}. */
    record Options(boolean dryRun, int limit, SecretBackend backend) {
        static final Options DEFAULTS = new Options(false, 100, SecretBackend.SECRET_BACKEND_UNSPECIFIED);

        Options withDryRun() {
            return new Options(true, limit, backend);
        }

        Options withLimit(String value) {
            int parsed;
            try {
                parsed = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                parsed = 0;
            }
            if (parsed < 1) {
                throw new IllegalArgumentException("-limit must be a whole number of portals per call, 1 or more");
            }
            return new Options(dryRun, parsed, backend);
        }

        Options withBackend(String value) {
            return new Options(dryRun, limit, switch (value) {
                case "ssm" -> SecretBackend.SECRET_BACKEND_SSM_PARAMETER_STORE;
                case "secrets-manager" -> SecretBackend.SECRET_BACKEND_SECRETS_MANAGER;
                default -> throw new IllegalArgumentException("-backend must be ssm or secrets-manager");
            });
        }
    }

    private static final Set<Status.Code> RETRIED = EnumSet.of(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED,
            Status.Code.ABORTED);
    private static final int ATTEMPTS = 6;
    private static final Duration CALL_DEADLINE = Duration.ofMinutes(5);

    private final Channel channel;
    private final Options options;
    private final PrintStream out;
    private final PrintStream err;

    LegacyMigrationCommand(Channel channel, Options options, PrintStream out, PrintStream err) {
        this.channel = channel;
        this.options = options;
        this.out = out;
        this.err = err;
    }

    /** Runs {@code migrate} or {@code purge}; returns the exit status. */
    int run(String command) throws InterruptedException {
        try {
            return command.equals("migrate") ? migrate() : purge();
        } catch (StatusRuntimeException e) {
            err.println("ERROR:\n  Code: " + e.getStatus().getCode() + "\n  Message: " + e.getStatus().getDescription());
            return 1;
        }
    }

    private int migrate() throws InterruptedException {
        String prefix = options.dryRun() ? "dry run, would migrate" : "migrated";
        int migrated = 0;
        int skipped = 0;
        List<String> failed = new ArrayList<>();
        String after = "";
        for (int page = 1; ; page++) {
            MigrateLegacyCredentialsRequest request = MigrateLegacyCredentialsRequest.newBuilder()
                    .setDryRun(options.dryRun())
                    .setLimit(options.limit())
                    .setBackend(options.backend())
                    .setStartAfter(after)
                    .build();
            MigrateLegacyCredentialsResponse response = retried(() -> admin().migrateLegacyCredentials(request));
            migrated += response.getMigrated();
            skipped += response.getSkipped();
            failed.addAll(response.getFailedPortalIdsList());
            out.printf("page %d%s: %s %d, skipped %d, failed %d%s%n", page, from(after), prefix, response.getMigrated(),
                    response.getSkipped(), response.getFailed(),
                    response.getFailed() == 0 ? "" : " " + response.getFailedPortalIdsList());
            after = response.getLastPortalId();
            if (after.isEmpty()) {
                break;
            }
        }
        out.printf("%s %d portals, skipped %d, failed %d%s%n", prefix, migrated, skipped, failed.size(),
                failed.isEmpty() ? "" : ": " + String.join(" ", failed) + " (run it again to retry them)");
        return failed.isEmpty() ? 0 : 1;
    }

    private int purge() throws InterruptedException {
        String prefix = options.dryRun() ? "dry run, would purge" : "purged";
        int purged = 0;
        int kept = 0;
        String after = "";
        for (int page = 1; ; page++) {
            PurgeLegacyCredentialsRequest request = PurgeLegacyCredentialsRequest.newBuilder()
                    .setDryRun(options.dryRun())
                    .setLimit(options.limit())
                    .setStartAfter(after)
                    .build();
            PurgeLegacyCredentialsResponse response = retried(() -> admin().purgeLegacyCredentials(request));
            purged += response.getPurged();
            kept += response.getKeptUnverified();
            out.printf("page %d%s: %s %d, kept unverified %d%n", page, from(after), prefix, response.getPurged(),
                    response.getKeptUnverified());
            after = response.getLastPortalId();
            if (after.isEmpty()) {
                break;
            }
        }
        out.printf("%s %d portals, kept unverified %d%s%n", prefix, purged, kept,
                kept == 0 ? "" : " (migrate them first: rcmctl ... migrate)");
        return kept == 0 ? 0 : 1;
    }

    private CredentialAdminServiceGrpc.CredentialAdminServiceBlockingStub admin() {
        return CredentialAdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_DEADLINE.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** The call, retried with exponential backoff (1, 2, 4 … s) while it fails with a retryable status. */
    private <T> T retried(Supplier<T> call) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (StatusRuntimeException e) {
                if (attempt == ATTEMPTS || !RETRIED.contains(e.getStatus().getCode())) {
                    throw e;
                }
                long delay = 1000L << (attempt - 1);
                err.printf("%s: %s; retrying in %d s%n", e.getStatus().getCode(), e.getStatus().getDescription(),
                        delay / 1000);
                Thread.sleep(delay);
            }
        }
    }

    private static String from(String after) {
        return after.isEmpty() ? "" : " (after " + after + ")";
    }
}
