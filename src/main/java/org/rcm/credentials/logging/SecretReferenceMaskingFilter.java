package org.rcm.credentials.logging;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import org.jboss.logmanager.ExtLogRecord;
import org.rcm.credentials.secretstore.SecretNames;

/**
 * Safety net for every log record: masks ARNs, secret names, parameter paths and
 * twelve-digit numbers (account ids) in the message and in the messages of attached
 * exceptions. Code should never log such values; this catches what slips through, such as
 * text inside third-party exceptions.
 */
@LoggingFilter(name = "secret-reference-mask")
public final class SecretReferenceMaskingFilter implements Filter {

    @Override
    public boolean isLoggable(LogRecord record) {
        String formatted = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        String masked = SecretNames.maskAll(formatted);
        if (record instanceof ExtLogRecord ext) {
            ext.setMessage(masked, ExtLogRecord.FormatStyle.NO_FORMAT);
        } else {
            record.setMessage(masked);
        }
        record.setParameters(null);
        if (record.getThrown() != null) {
            record.setThrown(MaskedThrowable.of(record.getThrown()));
        }
        return true;
    }

    /** A copy of an exception chain with masked messages and the original stack traces. */
    static final class MaskedThrowable extends Throwable {

        private static final int MAX_CAUSES = 16;

        private final String type;

        private MaskedThrowable(Throwable original, Throwable maskedCause) {
            super(SecretNames.maskAll(original.getMessage()), maskedCause, false, true);
            this.type = original.getClass().getName();
            setStackTrace(original.getStackTrace());
        }

        static Throwable of(Throwable original) {
            return of(original, 0);
        }

        private static Throwable of(Throwable original, int depth) {
            if (original instanceof MaskedThrowable) {
                return original;
            }
            Throwable cause = original.getCause();
            boolean followCause = cause != null && cause != original && depth < MAX_CAUSES;
            return new MaskedThrowable(original, followCause ? of(cause, depth + 1) : null);
        }

        @Override
        public String toString() {
            String message = getLocalizedMessage();
            return message == null ? type : type + ": " + message;
        }
    }
}
