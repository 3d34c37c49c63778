package org.rcm.credentials.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What follows a timeout runs on the request's context, not on the thread of Mutiny's timer. */
class VertxContextsTest {

    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void aTimeoutIsDeliveredOnTheSubscribersContext() throws Exception {
        Context context = vertx.getOrCreateContext();
        CompletableFuture<Context> failedOn = new CompletableFuture<>();
        CompletableFuture<Throwable> failure = new CompletableFuture<>();

        context.runOnContext(ignored -> VertxContexts.within(Uni.createFrom().nothing(), Duration.ofMillis(20),
                        () -> new IllegalStateException("late"))
                .subscribe().with(item -> failedOn.completeExceptionally(new AssertionError("an item")), e -> {
                    failure.complete(e);
                    failedOn.complete(Vertx.currentContext());
                }));

        assertThat(failedOn.get(10, TimeUnit.SECONDS)).isSameAs(context);
        assertThat(failure.get()).hasMessage("late");
    }

    @Test
    void anItemInTimeIsDeliveredUnchanged() throws Exception {
        Context context = vertx.getOrCreateContext();
        CompletableFuture<String> item = new CompletableFuture<>();

        context.runOnContext(ignored -> VertxContexts.within(Uni.createFrom().item("answer"), Duration.ofSeconds(5),
                        () -> new IllegalStateException("late"))
                .subscribe().with(item::complete, item::completeExceptionally));

        assertThat(item.get(10, TimeUnit.SECONDS)).isEqualTo("answer");
    }
}
