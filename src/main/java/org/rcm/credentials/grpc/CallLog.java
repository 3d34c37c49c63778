package org.rcm.credentials.grpc;

import io.grpc.Metadata;
import io.grpc.Status;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * One log line per call of the broker's services as it ends, on the logger
 * {@code org.rcm.credentials.access}: failures at INFO, successes at DEBUG (enable that level for
 * a full access log). Its fields are in the MDC, so that JSON logs carry them as fields:
 * {@code request_id} (the caller's {@code x-request-id} when it is a plain token, else
 * generated), {@code tenant}, {@code rpc}, {@code outcome} (the gRPC status code) and
 * {@code latency_ms}. It never names a portal, an ARN or a secret; the audit row has the rest.
 */
final class CallLog {

    static final Metadata.Key<String> REQUEST_ID = Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
    private static final Logger LOG = Logger.getLogger("org.rcm.credentials.access");
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final String[] FIELDS = {"request_id", "tenant", "rpc", "outcome", "latency_ms"};

    private final String rpc;
    private final String givenRequestId;
    private final long startedNanos = System.nanoTime();

    /** Keeps what the line needs; the request id is checked only when a line is written. */
    CallLog(String rpc, Metadata headers) {
        this.rpc = rpc;
        this.givenRequestId = headers.get(REQUEST_ID);
    }

    /** The call ended with {@code status}; {@code tenant} null when its certificate maps to none. */
    void ended(String tenant, Status status) {
        Logger.Level level = status.isOk() ? Logger.Level.DEBUG : Logger.Level.INFO;
        if (!LOG.isEnabled(level)) {
            return;
        }
        long latencyMicros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - startedNanos);
        boolean usable = givenRequestId != null && TOKEN.matcher(givenRequestId).matches();
        MDC.put("request_id", usable ? givenRequestId : UUID.randomUUID().toString());
        MDC.put("tenant", tenant == null ? "-" : tenant);
        MDC.put("rpc", rpc);
        MDC.put("outcome", status.getCode().name());
        MDC.put("latency_ms", String.valueOf(latencyMicros / 1000.0));
        try {
            LOG.logf(level, "%s %s in %.1f ms", rpc, status.getCode(), latencyMicros / 1000.0);
        } finally {
            for (String field : FIELDS) {
                MDC.remove(field);
            }
        }
    }
}
