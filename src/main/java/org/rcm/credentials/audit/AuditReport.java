package org.rcm.credentials.audit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.rcm.credentials.audit.AuditWrites.State;
import org.rcm.credentials.audit.AuditWrites.Write;
import org.rcm.credentials.metrics.BrokerMetrics;

/** What the {@link AuditWriter} reports about its writes: metrics and log lines, never a row's content. */
final class AuditReport {

    private static final Logger LOG = Logger.getLogger(AuditWriter.class);

    private final AuditSink sink;
    private final BrokerMetrics metrics;
    private final Duration writeTimeout;

    AuditReport(AuditSink sink, BrokerMetrics metrics, Duration writeTimeout) {
        this.sink = sink;
        this.metrics = metrics;
        this.writeTimeout = writeTimeout;
    }

    /** A write answered, {@code was} where it stood; {@code committed} rows newly committed, {@code rejected} a row dropped. */
    void answered(Write write, State was, Throwable failure, int committed, PendingRow rejected) {
        int rows = write.rows.size();
        if (failure == null) {
            if (committed > 0) {
                metrics.auditBatchWritten(committed);
            }
            if (was == State.HELD || was == State.GIVEN_UP) {
                LOG.infof("Audit batch of %d rows committed after it had timed out", rows);
            }
        } else if (was == State.GIVEN_UP) {
            LOG.debugf("Audit batch of %d rows, given up on, failed: %s", rows, sink.describe(failure));
        } else if (rejected != null) {
            metrics.auditRowRejected();
            LOG.errorf("Audit row dropped: the database refused it (%s); it recorded a %s by tenant %s",
                    sink.describe(failure), rejected.event.accessType().dbValue(), rejected.event.tenantId());
        } else if (sink.isDataError(failure) && rows > 1) {
            metrics.auditBatchFailed(rows, "data");
            LOG.warnf("Audit batch of %d rows refused (%s); writing its rows one by one", rows, sink.describe(failure));
        } else if (was == State.WRITING) {
            metrics.auditBatchFailed(rows, "error");
            LOG.warnf("Audit batch of %d rows failed, retrying: %s", rows, sink.describe(failure));
        } else {
            LOG.warnf("Audit batch of %d rows failed after it had timed out, retrying: %s", rows, sink.describe(failure));
        }
    }

    void timedOut(Write write) {
        metrics.auditBatchFailed(write.rows.size(), "timeout");
        LOG.warnf("Audit batch of %d rows unanswered after %d ms; its rows wait for the answer",
                write.rows.size(), writeTimeout.toMillis());
    }

    void givenUp(Write write, long now) {
        LOG.warnf("Audit batch of %d rows still unanswered after %d ms; sending its rows again (they may be written twice)",
                write.rows.size(), TimeUnit.NANOSECONDS.toMillis(now - write.sentAt));
    }
}
