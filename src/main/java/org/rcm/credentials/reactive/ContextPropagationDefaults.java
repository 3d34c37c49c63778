package org.rcm.credentials.reactive;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;

/**
 * Which thread contexts Mutiny leaves alone around each step of a call, unless
 * {@code mp.context.ThreadContext.unchanged} is set.
 *
 * <p>Every step of a call runs on the call's Vert.x (duplicated) context, which carries ArC's
 * request context itself, and every hop off it comes back to it ({@link VertxContexts},
 * {@code secretstore/AwsCalls}). SmallRye Context Propagation would capture and restore the
 * same contexts again around every Mutiny step, and Narayana's JTA context too (Flyway's JDBC
 * path brings Narayana in; nothing here uses a JTA transaction): about a fifth of what a cached
 * read allocates (README, "Benchmarks"). So with tracing off, the default, nothing is
 * propagated and Mutiny's steps run unwrapped. With tracing on, OpenTelemetry's context is
 * propagated as Quarkus does by default, so that a span stays current, and on the log lines,
 * across every step; only the JTA context is left alone.
 */
public class ContextPropagationDefaults implements ConfigSourceInterceptor {

    private static final String UNCHANGED = "mp.context.ThreadContext.unchanged";
    private static final String TRACING_DISABLED = "quarkus.otel.sdk.disabled";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.proceed(name);
        if (value != null || !UNCHANGED.equals(name)) {
            return value;
        }
        ConfigValue tracingDisabled = context.proceed(TRACING_DISABLED);
        boolean tracing = tracingDisabled == null || !Boolean.parseBoolean(tracingDisabled.getValue());
        return ConfigValue.builder()
                .withName(UNCHANGED)
                .withValue(tracing ? "Transaction" : "CDI,OpenTelemetry,Transaction")
                .build();
    }
}
