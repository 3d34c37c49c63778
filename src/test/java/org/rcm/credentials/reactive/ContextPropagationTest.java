package org.rcm.credentials.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.context.SmallRyeThreadContext;
import io.smallrye.context.impl.ThreadContextProviderPlan;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.eclipse.microprofile.context.ThreadContext;
import org.eclipse.microprofile.context.spi.ThreadContextProvider;
import org.junit.jupiter.api.Test;

/**
 * With tracing off (the default), Mutiny propagates no thread context: a call's steps run on its
 * Vert.x context, which carries ArC's request context itself. That the request context still
 * reaches every step, across the hops to AWS and back, is what the tenancy and audit tests
 * check; with tracing on, {@code metrics/TracingTest} checks that the trace does.
 */
@QuarkusTest
class ContextPropagationTest {

    @Test
    void noProviderRunsAroundAMutinyStep() {
        ThreadContextProviderPlan plan = SmallRyeThreadContext.getCurrentThreadContextOrDefaultContexts().getPlan();

        assertThat(types(plan.unchangedProviders))
                .containsExactlyInAnyOrder(ThreadContext.CDI, "OpenTelemetry", ThreadContext.TRANSACTION);
        assertThat(plan.isEmpty()).as("nothing propagated or cleared").isTrue();
    }

    @Test
    void aMutinyStepRunsUnwrapped() {
        Function<String, String> step = String::trim;

        assertThat(Infrastructure.decorate(step)).isSameAs(step);
    }

    /** The context types of {@code providers}: "CDI", "OpenTelemetry", "Transaction". */
    static Set<String> types(Set<ThreadContextProvider> providers) {
        return providers.stream().map(ThreadContextProvider::getThreadContextType).collect(Collectors.toSet());
    }
}
