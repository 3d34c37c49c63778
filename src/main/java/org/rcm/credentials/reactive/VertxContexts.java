package org.rcm.credentials.reactive;

import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.Supplier;
import org.rcm.credentials.error.BrokerException;

/** Resumes work on the Vert.x context of the request it belongs to. */
public final class VertxContexts {

    private static final String ACTING_TENANT = "rcm.acting-tenant";

    private VertxContexts() {
    }

    /**
     * Runs {@code task} on {@code context}: at once when already there (or when there is no
     * context), else scheduled on it. Hibernate Reactive and the gRPC call must be resumed on
     * the request's context, whatever thread finished the work: an AWS SDK thread, another
     * event loop, a timer.
     */
    public static void runOn(Context context, Runnable task) {
        if (context == null || Vertx.currentContext() == context) {
            task.run();
        } else {
            context.runOnContext(ignored -> task.run());
        }
    }

    /**
     * Marks the current request's context as acting for {@code tenant}, the tenant of the
     * caller's certificate: its AWS calls are signed as that tenant, whatever secret they name
     * ({@code secretstore/TenantSessions}). Does nothing outside a request's (duplicated) context.
     */
    public static void actFor(String tenant) {
        Context context = Vertx.currentContext();
        if (context != null && VertxContext.isDuplicatedContext(context)) {
            context.putLocal(ACTING_TENANT, tenant);
        }
    }

    /** The tenant the current request acts for ({@link #actFor}), or null (a job, or no request). */
    public static String actingTenant() {
        Context context = Vertx.currentContext();
        return context != null && VertxContext.isDuplicatedContext(context) ? context.getLocal(ACTING_TENANT) : null;
    }

    /**
     * Runs {@code work} on a new duplicated context of the current one, marked safe for
     * Hibernate Reactive, so that it has a database session of its own: several such pieces
     * of work can run at once within one request (whose own session would otherwise be shared);
     * it acts for the same tenant. The outcome is delivered on the caller's context.
     */
    public static <T> Uni<T> onOwnContext(Supplier<Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            Context caller = Vertx.currentContext();
            Context own = VertxContext.createNewDuplicatedContext(caller);
            VertxContextSafetyToggle.setContextSafe(own, true);
            String tenant = actingTenant();
            if (tenant != null) {
                own.putLocal(ACTING_TENANT, tenant);
            }
            return Uni.createFrom().deferred(work::get)
                    .runSubscriptionOn(task -> own.runOnContext(ignored -> task.run()))
                    .emitOn(task -> runOn(caller, task));
        });
    }

    /**
     * Runs {@code work} on a new duplicated context, marked safe for Hibernate Reactive: for
     * work that starts outside any request (a scheduled job), from any thread.
     */
    public static <T> Uni<T> onNewContext(io.vertx.core.Vertx vertx, Supplier<Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            Context own = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
            VertxContextSafetyToggle.setContextSafe(own, true);
            return Uni.createFrom().deferred(work::get)
                    .runSubscriptionOn(task -> own.runOnContext(ignored -> task.run()));
        });
    }

    /**
     * Completes after {@code delay} on {@code context}, holding no thread meanwhile
     * (a Vert.x timer, cancelled when the subscriber cancels, say when the caller goes away).
     */
    public static Uni<Void> timer(Context context, Duration delay) {
        return Uni.createFrom().emitter(emitter -> {
            long id = context.owner().setTimer(Math.max(1, delay.toMillis()), fired -> emitter.complete(null));
            emitter.onTermination(() -> context.owner().cancelTimer(id));
        });
    }

    /**
     * A database query bounded by {@code rcm.database-timeout}: UNAVAILABLE
     * ({@code DATABASE_UNAVAILABLE}, retryable) when Postgres does not answer in time.
     */
    public static <T> Uni<T> database(Uni<T> query, Duration timeout) {
        return within(query, timeout, () -> BrokerException.unavailable("DATABASE_UNAVAILABLE",
                "the database did not answer in time; retry", null));
    }

    /**
     * {@code uni}, failed with {@code failure} when it has no item within {@code timeout}.
     * Mutiny's timer fires on a worker thread; the outcome, item or failure, is delivered on
     * the context of the subscriber, so that what follows a timeout (a compensating update, the
     * audit row, the answer) runs where the request runs.
     */
    public static <T> Uni<T> within(Uni<T> uni, Duration timeout, Supplier<? extends Throwable> failure) {
        return Uni.createFrom().deferred(() -> {
            Context context = Vertx.currentContext();
            return uni.ifNoItem().after(timeout).failWith(failure).emitOn(task -> runOn(context, task));
        });
    }
}
