package org.rcm.credentials.support;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The span exporter of the Quarkus tests: Quarkus exports to every {@code SpanExporter} bean.
 * It receives spans only where a test profile turns the SDK on ({@code TracingTest}).
 */
public final class InMemorySpans {

    @Produces
    @Singleton
    InMemorySpanExporter exporter() {
        return InMemorySpanExporter.create();
    }
}
