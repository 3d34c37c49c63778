package org.rcm.credentials.bench;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.rcm.credentials.api.v1.CredentialAdminServiceGrpc;
import org.rcm.credentials.api.v1.CredentialServiceGrpc;
import org.rcm.credentials.api.v1.Credentials;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.api.v1.RegisterEndpointRequest;
import org.rcm.credentials.api.v1.RotateCredentialsRequest;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;
import org.rcm.credentials.api.v1.VerifyAuditLogRequest;
import org.rcm.credentials.api.v1.VerifyAuditLogResponse;

/**
 * The calls the benchmark makes, as {@link LoadDriver.Call}s, and the portals they need. Counts
 * every audited call that succeeded, which is the number of successful access-log rows to
 * expect, and the setup calls that failed and were retried, which may each have a failed row.
 */
final class Workload {

    private static final Set<Status.Code> RETRIED = EnumSet.of(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED,
            Status.Code.ABORTED);
    private static final Duration SETUP_RETRY_FOR = Duration.ofSeconds(90);
    private static final Duration SETUP_BASE_BACKOFF = Duration.ofMillis(100);
    private static final Duration SETUP_MAX_BACKOFF = Duration.ofSeconds(5);
    private static final ScheduledExecutorService RETRY_TIMER = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "bench-retry");
        thread.setDaemon(true);
        return thread;
    });

    private final LongAdder auditedCalls = new LongAdder();
    private final LongAdder failedAuditedCalls = new LongAdder();
    private final AtomicLong sequence = new AtomicLong();

    /** Audited calls (Get, Store, Rotate, Register) that have succeeded so far. */
    long auditedCalls() {
        return auditedCalls.sum();
    }

    /** {@code grpc.health.v1.Health/Check}: same TLS and server, no work, not audited. */
    LoadDriver.Call health() {
        return (channel, slot) -> HealthGrpc.newFutureStub(channel).check(HealthCheckRequest.getDefaultInstance());
    }

    /** GetCredentials, cycling through the portals {@code portal(0..count-1)}. */
    LoadDriver.Call get(IntFunction<String> portal, int count) {
        return (channel, slot) -> audited(CredentialServiceGrpc.newFutureStub(channel)
                .getCredentials(GetCredentialsRequest.newBuilder().setPortalId(portal.apply(slot % count)).build()));
    }

    /** StoreCredentials of a new password; each slot writes its own portal, so that no two calls contend. */
    LoadDriver.Call store(IntFunction<String> portal) {
        return (channel, slot) -> audited(CredentialServiceGrpc.newFutureStub(channel)
                .storeCredentials(storeRequest(portal.apply(slot))));
    }

    /** RotateCredentials with a generated password; each slot rotates its own portal. A failed rotation is an error. */
    LoadDriver.Call rotate(IntFunction<String> portal) {
        return (channel, slot) -> audited(Futures.transform(CredentialServiceGrpc.newFutureStub(channel)
                .rotateCredentials(RotateCredentialsRequest.newBuilder().setPortalId(portal.apply(slot)).build()),
                response -> {
                    if (!response.getSuccess()) {
                        throw new IllegalStateException("rotation failed: " + response.getError());
                    }
                    return response;
                }, MoreExecutors.directExecutor()));
    }

    /**
     * Registers the portals and stores credentials for each, concurrently, each call retried as
     * {@link #setup} says; fails on the first error that is not retried.
     */
    void createPortals(Channel admin, List<String> portals) {
        List<ListenableFuture<?>> registered = new ArrayList<>();
        for (String portal : portals) {
            RegisterEndpointRequest request = RegisterEndpointRequest.newBuilder()
                    .setPortalId(portal)
                    .setName("Benchmark portal " + portal)
                    .setPortalType("insurance")
                    .build();
            registered.add(setup(() -> CredentialAdminServiceGrpc.newFutureStub(admin).registerEndpoint(request), true));
        }
        await(Futures.allAsList(registered));
        List<ListenableFuture<?>> stored = new ArrayList<>();
        for (String portal : portals) {
            StoreCredentialsRequest request = storeRequest(portal);
            stored.add(setup(() -> CredentialServiceGrpc.newFutureStub(admin).storeCredentials(request), false));
        }
        await(Futures.allAsList(stored));
    }

    /** Reads each portal once, so that its credentials are cached. */
    void warm(Channel worker, List<String> portals) {
        List<ListenableFuture<?>> reads = new ArrayList<>();
        for (String portal : portals) {
            GetCredentialsRequest request = GetCredentialsRequest.newBuilder().setPortalId(portal).build();
            reads.add(setup(() -> CredentialServiceGrpc.newFutureStub(worker).getCredentials(request), false));
        }
        await(Futures.allAsList(reads));
    }

    /** Audited calls that failed during setup and were retried: each may have left a failed access-log row. */
    long failedAuditedCalls() {
        return failedAuditedCalls.sum();
    }

    /**
     * One audited setup call, as a real client makes it: retried with exponential backoff and
     * jitter while the service answers UNAVAILABLE, DEADLINE_EXCEEDED or ABORTED (a change of the
     * portal still in progress), for at most {@link #SETUP_RETRY_FOR}. With {@code createOnce},
     * ALREADY_EXISTS after such a failure means an earlier attempt took effect.
     */
    private <T> ListenableFuture<T> setup(Supplier<ListenableFuture<T>> call, boolean createOnce) {
        return attempt(call, createOnce, 0, System.nanoTime() + SETUP_RETRY_FOR.toNanos());
    }

    private <T> ListenableFuture<T> attempt(Supplier<ListenableFuture<T>> call, boolean createOnce, int retries, long deadline) {
        return Futures.catchingAsync(audited(call.get()), StatusRuntimeException.class, failure -> {
            Status.Code code = failure.getStatus().getCode();
            if (createOnce && retries > 0 && code == Status.Code.ALREADY_EXISTS) {
                failedAuditedCalls.increment();
                return Futures.<T>immediateFuture(null);
            }
            if (!RETRIED.contains(code) || System.nanoTime() > deadline) {
                throw failure;
            }
            failedAuditedCalls.increment();
            long ceiling = Math.min(SETUP_MAX_BACKOFF.toMillis(), SETUP_BASE_BACKOFF.toMillis() << Math.min(retries, 10));
            long delay = ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1);
            return Futures.<T>scheduleAsync(() -> attempt(call, createOnce, retries + 1, deadline),
                    Duration.ofMillis(delay), RETRY_TIMER);
        }, MoreExecutors.directExecutor());
    }

    private StoreCredentialsRequest storeRequest(String portal) {
        return StoreCredentialsRequest.newBuilder()
                .setPortalId(portal)
                .setCredentials(Credentials.newBuilder()
                        .setUsername("bench-user")
                        .setPassword("bench-password-" + sequence.incrementAndGet())
                        .putMetadata("portal_type", "insurance"))
                .build();
    }

    /** VerifyAuditLog over every row of the tenant; audited like any admin call. */
    VerifyAuditLogResponse verifyAuditLog(Channel admin) {
        VerifyAuditLogResponse verified = CredentialAdminServiceGrpc.newBlockingStub(admin)
                .withDeadlineAfter(10, TimeUnit.MINUTES).verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance());
        auditedCalls.increment();
        return verified;
    }

    private <T> ListenableFuture<T> audited(ListenableFuture<T> call) {
        return Futures.transform(call, response -> {
            auditedCalls.increment();
            return response;
        }, MoreExecutors.directExecutor());
    }

    private static void await(ListenableFuture<?> future) {
        try {
            future.get(SETUP_RETRY_FOR.toSeconds() + 30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("setup call failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("setup calls did not finish in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
