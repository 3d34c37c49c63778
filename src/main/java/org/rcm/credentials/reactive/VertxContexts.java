package org.rcm.credentials.reactive;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** Resumes work on the Vert.x context of the request it belongs to. */
public final class VertxContexts {

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
}
