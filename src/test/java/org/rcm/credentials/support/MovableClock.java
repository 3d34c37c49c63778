package org.rcm.credentials.support;

import io.quarkus.test.Mock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.rcm.credentials.config.BrokerClock;

/**
 * The broker's clock in the Quarkus tests: real time plus an offset that a test moves forward
 * (never back), so that schedules fall due and rotations expire without waiting.
 */
@Mock
public class MovableClock extends BrokerClock {

    private static final AtomicReference<Duration> OFFSET = new AtomicReference<>(Duration.ZERO);

    @Override
    public Instant now() {
        return super.now().plus(OFFSET.get());
    }

    /** Moves the broker's clock forward by {@code by}, for the rest of the test run. */
    public static void advance(Duration by) {
        OFFSET.accumulateAndGet(by, Duration::plus);
    }
}
