package org.rcm.credentials.reactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rcm.credentials.reactive.ContextPropagationTest.types;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.context.SmallRyeThreadContext;
import io.smallrye.context.impl.ThreadContextProviderPlan;
import org.eclipse.microprofile.context.ThreadContext;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.metrics.TracingTest;

/**
 * With tracing on, Mutiny carries OpenTelemetry's context (and ArC's) around every step, so
 * that the span stays current there and on the log lines ({@code metrics/TracingTest} checks
 * that it does); Narayana's JTA context is still left alone.
 */
@QuarkusTest
@TestProfile(TracingTest.Tracing.class)
class TracedContextPropagationTest {

    @Test
    void eachStepCarriesTheTraceAndRequestContextsOnly() {
        ThreadContextProviderPlan plan = SmallRyeThreadContext.getCurrentThreadContextOrDefaultContexts().getPlan();

        assertThat(types(plan.propagatedProviders)).containsExactlyInAnyOrder(ThreadContext.CDI, "OpenTelemetry");
        assertThat(types(plan.unchangedProviders)).containsExactly(ThreadContext.TRANSACTION);
    }
}
