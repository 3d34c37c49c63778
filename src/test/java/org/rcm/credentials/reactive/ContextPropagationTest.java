package org.rcm.credentials.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.context.SmallRyeThreadContext;
import io.smallrye.context.impl.ThreadContextProviderPlan;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.context.ThreadContext;
import org.eclipse.microprofile.context.spi.ThreadContextProvider;
import org.junit.jupiter.api.Test;

/**
 * What Mutiny captures and restores at every step of every call: ArC's request context and the
 * OpenTelemetry context. Narayana, which Flyway's JDBC path brings in, adds a JTA provider that
 * would suspend and resume a transaction at every step, where none ever exists.
 */
@QuarkusTest
class ContextPropagationTest {

    @Test
    void eachStepCarriesTheRequestAndTraceContextsOnly() {
        ThreadContextProviderPlan plan = SmallRyeThreadContext.getCurrentThreadContextOrDefaultContexts().getPlan();

        assertThat(types(plan.propagatedProviders)).containsExactlyInAnyOrder(ThreadContext.CDI, "OpenTelemetry");
        assertThat(types(plan.clearedProviders)).isEmpty();
        assertThat(types(plan.unchangedProviders)).contains(ThreadContext.TRANSACTION);
    }

    private static Set<String> types(Set<ThreadContextProvider> providers) {
        return providers.stream().map(ThreadContextProvider::getThreadContextType).collect(Collectors.toSet());
    }
}
