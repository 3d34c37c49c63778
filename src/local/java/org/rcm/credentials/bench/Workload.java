package org.rcm.credentials.bench;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import io.grpc.Channel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import org.rcm.credentials.api.v1.CredentialAdminServiceGrpc;
import org.rcm.credentials.api.v1.CredentialServiceGrpc;
import org.rcm.credentials.api.v1.Credentials;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.api.v1.RegisterEndpointRequest;
import org.rcm.credentials.api.v1.RotateCredentialsRequest;
import org.rcm.credentials.api.v1.StoreCredentialsRequest;

/**
 * The calls the benchmark makes, as {@link LoadDriver.Call}s, and the portals they need. Counts
 * every audited call that succeeded, which is the number of access-log rows to expect.
 */
final class Workload {

    private final LongAdder auditedCalls = new LongAdder();
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

    /** Registers the portals and stores credentials for each, concurrently; fails on the first error. */
    void createPortals(Channel admin, List<String> portals) {
        List<ListenableFuture<?>> registered = new ArrayList<>();
        for (String portal : portals) {
            registered.add(audited(CredentialAdminServiceGrpc.newFutureStub(admin)
                    .registerEndpoint(RegisterEndpointRequest.newBuilder()
                            .setPortalId(portal)
                            .setName("Benchmark portal " + portal)
                            .setPortalType("insurance")
                            .build())));
        }
        await(Futures.allAsList(registered));
        List<ListenableFuture<?>> stored = new ArrayList<>();
        for (String portal : portals) {
            stored.add(audited(CredentialServiceGrpc.newFutureStub(admin).storeCredentials(storeRequest(portal))));
        }
        await(Futures.allAsList(stored));
    }

    /** Reads each portal once, so that its credentials are cached. */
    void warm(Channel worker, List<String> portals) {
        List<ListenableFuture<?>> reads = new ArrayList<>();
        for (String portal : portals) {
            reads.add(get(i -> portal, 1).start(worker, 0));
        }
        await(Futures.allAsList(reads));
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

    private <T> ListenableFuture<T> audited(ListenableFuture<T> call) {
        return Futures.transform(call, response -> {
            auditedCalls.increment();
            return response;
        }, MoreExecutors.directExecutor());
    }

    private static void await(ListenableFuture<?> future) {
        try {
            future.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("setup call failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("setup calls did not finish in 60 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
