package org.rcm.credentials.support;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The broker's counters, as a test reads them before and after what it does. */
public final class Metrics {

    private Metrics() {
    }

    /** The sum of the counters named {@code name} that carry {@code tags} (key, value, ...); 0 before any is registered. */
    public static double count(MeterRegistry registry, String name, String... tags) {
        return registry.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
    }
}
