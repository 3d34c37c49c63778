package org.rcm.credentials.grpc;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Lets the answers that complete together share one socket flush.
 *
 * <p>Vert.x flushes an HTTP/2 write at once unless it happens while the connection is reading.
 * A fail-closed answer is written later than that, when its audit batch commits, so without
 * this every answer would cost its own TLS record and write system call (two or three per
 * call, measured). Netty's {@link FlushConsolidationHandler}, added once per connection,
 * defers those flushes to the end of the current event-loop task queue, so the answers of one
 * audit batch on one connection go out in one flush. Vert.x exposes the connection's Netty
 * pipeline only through its implementation class, hence the cast.
 */
@ApplicationScoped
class ResponseFlushConsolidation {

    static final String HANDLER = "rcm-flush-consolidation";
    /** Before the application's routes, after Quarkus' own early filters. */
    private static final int PRIORITY = 100;

    void register(@Observes Filters filters) {
        filters.register(ResponseFlushConsolidation::consolidate, PRIORITY);
    }

    private static void consolidate(RoutingContext request) {
        if (request.request().connection() instanceof ConnectionBase connection) {
            ChannelPipeline pipeline = connection.channel().pipeline();
            if (pipeline.get(HANDLER) == null) {
                pipeline.addLast(HANDLER, new FlushConsolidationHandler(
                        FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
            }
        }
        request.next();
    }
}
