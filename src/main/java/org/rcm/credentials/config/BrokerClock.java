package org.rcm.credentials.config;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The time the rotation workflow goes by: when schedules fall due, when reminders and
 * escalations are sent, when worker-driven rotations expire. A bean, so that tests move it
 * instead of waiting days; microsecond precision, like the database's timestamps.
 */
@ApplicationScoped
public class BrokerClock {

    public Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
