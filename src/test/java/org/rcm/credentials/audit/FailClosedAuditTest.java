package org.rcm.credentials.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.rcm.credentials.support.Broker.get;
import static org.rcm.credentials.support.Broker.newPortal;

import com.google.rpc.ErrorInfo;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.api.v1.CredentialServiceGrpc.CredentialServiceBlockingStub;
import org.rcm.credentials.api.v1.GetCredentialsRequest;
import org.rcm.credentials.grpc.GrpcExceptionMapper;
import org.rcm.credentials.support.Broker;
import org.rcm.credentials.support.Management;
import org.rcm.credentials.support.TestEnvironment;
import org.rcm.credentials.support.TestIdentity;

/**
 * Fail-closed audit: no credential leaves without its audit row. When Postgres is down or
 * hangs, a cached GetCredentials fails UNAVAILABLE within the audit deadline, and nothing of
 * the credential is in the answer.
 */
@QuarkusTest
class FailClosedAuditTest {

    private static final TestIdentity ADMIN = TestIdentity.TENANT_A_ADMIN;

    /** Cuts end with a reconnect of the invalidation listener, which drops every cache: not in a later test. */
    @AfterEach
    void awaitReady() throws Exception {
        Management.awaitReady();
    }

    @Test
    void credentialIsWithheldWhileTheAuditStoreIsDown() throws Exception {
        String portal = warmPortal();

        StatusRuntimeException e = failureWhileTheDatabaseIsCut(portal);

        assertUnavailable(e);
        assertEquals("withheld-pw", get(ADMIN, portal).getCredentials().getPassword());
    }

    @Test
    void hangingAuditStoreFailsTheCallWithinItsDeadline() throws Exception {
        String portal = warmPortal();

        TestEnvironment.databaseProxy().stall();
        Instant start = Instant.now();
        StatusRuntimeException e;
        try {
            e = assertThrows(StatusRuntimeException.class, () -> get(ADMIN, portal));
        } finally {
            TestEnvironment.databaseProxy().restore();
        }

        assertUnavailable(e);
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(10));
    }

    /**
     * The answer's headers wait for the row too: a withheld answer reaches the caller as a status
     * alone, and an answered one as headers, message and status together.
     */
    @Test
    void aWithheldAnswerSendsNoHeadersAhead() throws Exception {
        String portal = warmPortal();
        AtomicBoolean headersSeen = new AtomicBoolean();
        CredentialServiceBlockingStub stub = Broker.credentials(ADMIN).withInterceptors(recordingHeaders(headersSeen));
        GetCredentialsRequest request = GetCredentialsRequest.newBuilder().setPortalId(portal).build();
        assertEquals("withheld-pw", stub.getCredentials(request).getCredentials().getPassword());
        assertThat(headersSeen).as("the headers of an answered call").isTrue();
        headersSeen.set(false);

        TestEnvironment.databaseProxy().stall();
        StatusRuntimeException e;
        try {
            e = assertThrows(StatusRuntimeException.class, () -> stub.getCredentials(request));
        } finally {
            TestEnvironment.databaseProxy().restore();
        }

        assertUnavailable(e);
        assertThat(headersSeen).as("headers sent before the row was written").isFalse();
    }

    @Test
    void aReadThatNeedsTheDatabaseWhileItIsDownIsUnavailableNotAnInternalError() {
        String portal = newPortal(); // never read, so never cached

        StatusRuntimeException e = failureWhileTheDatabaseIsCut(portal);

        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
        assertThat(StatusProto.fromThrowable(e).getDetailsList()).anySatisfy(any -> {
            try {
                assertThat(any.unpack(ErrorInfo.class).getReason()).isEqualTo("DATABASE_UNAVAILABLE");
            } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
                throw new AssertionError(ex);
            }
        });
    }

    /** Notes every call whose response headers arrive. */
    private static ClientInterceptor recordingHeaders(AtomicBoolean seen) {
        return new ClientInterceptor() {
            @Override
            public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
                return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<A> listener, Metadata headers) {
                        super.start(new SimpleForwardingClientCallListener<>(listener) {
                            @Override
                            public void onHeaders(Metadata responseHeaders) {
                                seen.set(true);
                                super.onHeaders(responseHeaders);
                            }
                        }, headers);
                    }
                };
            }
        };
    }

    private static StatusRuntimeException failureWhileTheDatabaseIsCut(String portal) {
        TestEnvironment.databaseProxy().cut();
        try {
            return assertThrows(StatusRuntimeException.class, () -> get(ADMIN, portal));
        } finally {
            TestEnvironment.databaseProxy().restore();
        }
    }

    /** A portal whose credentials ("withheld-pw") are cached, so that only the audit row needs Postgres. */
    private static String warmPortal() throws Exception {
        Management.awaitReady();
        String portal = newPortal();
        Broker.registerAndStore(ADMIN, portal, "withheld-pw");
        get(ADMIN, portal);
        // a listener that reconnected after an earlier test's cut drops every cache once it listens
        // again: wait for that, and read once more
        Management.awaitReady();
        get(ADMIN, portal);
        return portal;
    }

    private static void assertUnavailable(StatusRuntimeException e) {
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertThat(e.getStatus().getDescription()).endsWith("no credential was released");
        com.google.rpc.Status details = StatusProto.fromThrowable(e);
        assertThat(details.getDetailsList()).anySatisfy(any -> {
            try {
                ErrorInfo info = any.unpack(ErrorInfo.class);
                assertEquals("AUDIT_UNAVAILABLE", info.getReason());
                assertEquals(GrpcExceptionMapper.ERROR_DOMAIN, info.getDomain());
            } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
                throw new AssertionError(ex);
            }
        });
        assertThat(e.toString()).doesNotContain("withheld-pw");
    }
}
