package org.rcm.credentials.reactive;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** Keeps reactive pipelines on the Vert.x context of the request that subscribed. */
public final class VertxContexts {

    private VertxContexts() {
    }

    /**
     * Emits {@code uni}'s item or failure on the subscriber's Vert.x context (if it has one),
     * whatever thread produced it: an AWS SDK thread, another event loop, a timer. Hibernate
     * Reactive and the gRPC call must be resumed there.
     */
    public static <T> Uni<T> onSubscriberContext(Uni<T> uni) {
        return Uni.createFrom().deferred(() -> {
            Context context = Vertx.currentContext();
            return context == null ? uni : uni.emitOn(task -> {
                if (Vertx.currentContext() == context) {
                    task.run();
                } else {
                    context.runOnContext(ignored -> task.run());
                }
            });
        });
    }
}
