package org.rcm.credentials.support;

import java.time.Duration;
import java.time.Instant;

/** Polls a condition until it holds or a deadline passes: for asynchronous effects, instead of sleeps. */
public final class Await {

    /** A condition that may throw. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    private Await() {
    }

    public static void until(Duration timeout, Condition condition) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        Exception last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                if (condition.holds()) {
                    return;
                }
                last = null;
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(20);
        }
        AssertionError error = new AssertionError("condition not met within " + timeout);
        if (last != null) {
            error.initCause(last);
        }
        throw error;
    }
}
