package org.rcm.credentials.local.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** The {@code /_local/} control API, driven the way another process would: through {@link LocalAwsControl}. */
class LocalAwsControlTest extends LocalAwsTestBase {

    private static final String GET = "AmazonSSM.GetParameter";
    private static final String PUT = "AmazonSSM.PutParameter";
    private static final String NAME = "/rcm/control";

    private LocalAwsControl control;

    @BeforeEach
    void connectControl() {
        control = new LocalAwsControl(endpoint.uri());
    }

    @Test
    void callsAreCountedPerTargetAndReset() {
        put("v1");
        get();
        get();

        assertEquals(Map.of(PUT, 1L, GET, 2L), control.calls());
        assertEquals(2, control.calls(GET));
        assertEquals(0, control.calls("secretsmanager.GetSecretValue"));

        control.resetCalls();

        assertEquals(Map.of(), control.calls());
    }

    @Test
    void throttleFailDenyAndFailAfterApplyCanBeInjectedRemotely() {
        put("v1");
        control.throttleNext(GET, 1);
        control.denyNext(GET, 1);
        control.failNext(GET, 1);
        control.failAfterApplyNext(PUT, 1);

        assertEquals("ThrottlingException", errorCode(ssm.getParameter(g -> g.name(NAME))));
        assertEquals("AccessDeniedException", errorCode(ssm.getParameter(g -> g.name(NAME))));
        AwsServiceException failed = failure(ssm.getParameter(g -> g.name(NAME)));
        assertEquals("InternalServerError", failed.awsErrorDetails().errorCode());
        assertEquals(500, failed.statusCode());
        assertEquals("InternalServerError", errorCode(ssm.putParameter(p -> p.name(NAME).value("v2")
                .type(ParameterType.STRING).overwrite(true))));
        assertEquals("v2", get());
    }

    @Test
    void errorCodesCanBeInjectedRemotely() {
        put("v1");
        control.errorNext(PUT, 1, "ParameterAlreadyExists");

        AwsServiceException error = failure(ssm.putParameter(p -> p.name(NAME).value("v2")
                .type(ParameterType.STRING).overwrite(true)));

        assertEquals("ParameterAlreadyExists", error.awsErrorDetails().errorCode());
        assertEquals(400, error.statusCode());
        assertEquals("v1", get());
        assertThrows(IllegalStateException.class, () -> control.errorNext(PUT, 1, "no code"));
    }

    @Test
    void latencyCanBeInjectedAndResetRemotely() {
        put("v1");
        Duration latency = Duration.ofMillis(250);
        control.latency(GET, latency);

        long started = System.nanoTime();
        get();
        assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(latency) >= 0);

        control.throttleNext(Faults.ALL, 3);
        control.resetFaults();
        assertEquals(Duration.ZERO, endpoint.faults().latencyFor(GET));
        assertEquals("v1", get());
    }

    @Test
    void clearStateRemovesParametersAndSecrets() {
        put("v1");
        secrets.createSecret(c -> c.name("control").secretString("s")).join();

        control.clearState();

        assertEquals("ParameterNotFound", errorCode(ssm.getParameter(g -> g.name(NAME))));
        assertEquals("ResourceNotFoundException", errorCode(secrets.getSecretValue(g -> g.secretId("control"))));
    }

    @Test
    void invalidFaultRequestIsRejected() {
        assertThrows(IllegalStateException.class, () -> control.throttleNext(GET, -1));
    }

    private void put(String value) {
        ssm.putParameter(p -> p.name(NAME).value(value).type(ParameterType.STRING).overwrite(true)).join();
    }

    private String get() {
        return ssm.getParameter(g -> g.name(NAME)).join().parameter().value();
    }
}
