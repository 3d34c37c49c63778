package org.rcm.credentials.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.net.impl.ConnectionBase;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.support.TestGrpc;
import org.rcm.credentials.support.TestIdentity;

/** The TLS connections that serve gRPC take their buffers, TLS records included, from Netty's pools. */
@QuarkusTest
class PooledTlsBuffersTest {

    @Inject
    AllocatorProbe probe;

    @Test
    void aCallsConnectionAllocatesFromThePools() {
        HealthGrpc.newBlockingStub(TestGrpc.channel(TestIdentity.TENANT_A_WORKER))
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance());

        assertThat(probe.seen).isInstanceOf(PooledByteBufAllocator.class);
    }

    /** Notes the allocator of the connection each request arrives on. */
    @Singleton
    static class AllocatorProbe {

        volatile ByteBufAllocator seen;

        void register(@Observes Filters filters) {
            filters.register(request -> {
                if (request.request().connection() instanceof ConnectionBase connection) {
                    seen = connection.channel().alloc();
                }
                request.next();
            }, 1);
        }
    }
}
