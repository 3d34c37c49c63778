package org.rcm.credentials.audit;

import io.smallrye.mutiny.Uni;
import java.util.List;

/** Where the {@link AuditWriter} writes its batches: one statement per batch, all rows or none. */
public interface AuditSink {

    /**
     * Writes the rows, each with its place in its hash chain, in one statement; completes once
     * they have committed. {@code sentBefore}: some of the rows were in a batch sent before,
     * which may have committed although its answer was lost; those already written are skipped.
     */
    Uni<Void> write(List<AuditChain.Chained> rows, boolean sentBefore);

    /** Whether the failure refuses the rows themselves (their data), not the connection or the server. */
    boolean isDataError(Throwable failure);

    /** A failure for a log line: never its message, which may quote a row. */
    String describe(Throwable failure);
}
