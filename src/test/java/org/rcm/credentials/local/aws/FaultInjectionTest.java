package org.rcm.credentials.local.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.rcm.credentials.support.Await;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ssm.SsmAsyncClient;
import software.amazon.awssdk.services.ssm.model.GetParameterResponse;
import software.amazon.awssdk.services.ssm.model.ParameterType;

class FaultInjectionTest extends LocalAwsTestBase {

    private static final String GET = "AmazonSSM.GetParameter";
    private static final String PUT = "AmazonSSM.PutParameter";
    private static final String NAME = "/rcm/fault";

    @Test
    void throttledCallsAnswerThrottlingExceptionThenRecover() {
        put("v1");
        endpoint.faults().throttleNext(GET, 1);

        AwsServiceException throttled = failure(ssm.getParameter(g -> g.name(NAME)));

        assertEquals("ThrottlingException", throttled.awsErrorDetails().errorCode());
        assertEquals(400, throttled.statusCode());
        assertTrue(throttled.isThrottlingException());
        assertEquals("v1", value());
        assertEquals(2, endpoint.calls(GET));
    }

    @Test
    void failedCallsAnswerInternalErrorWithoutApplying() {
        endpoint.faults().failNext(PUT, 1).failNext("secretsmanager.CreateSecret", 1);

        AwsServiceException ssmError = failure(ssm.putParameter(p -> p.name(NAME).value("v1").type(ParameterType.STRING)));
        AwsServiceException secretsError = failure(secrets.createSecret(c -> c.name("fault").secretString("v1")));

        assertEquals("InternalServerError", ssmError.awsErrorDetails().errorCode());
        assertEquals(500, ssmError.statusCode());
        assertEquals("InternalServiceError", secretsError.awsErrorDetails().errorCode());
        assertEquals(500, secretsError.statusCode());
        assertEquals("ParameterNotFound", errorCode(ssm.getParameter(g -> g.name(NAME))));
        assertEquals("ResourceNotFoundException", errorCode(secrets.getSecretValue(g -> g.secretId("fault"))));
    }

    @Test
    void failAfterApplyAppliesTheOperationButLosesTheAnswer() {
        endpoint.faults().failAfterApplyNext(PUT, 1);

        AwsServiceException error = failure(ssm.putParameter(p -> p.name(NAME).value("v1").type(ParameterType.STRING)));

        assertEquals("InternalServerError", error.awsErrorDetails().errorCode());
        assertEquals(500, error.statusCode());
        assertEquals("v1", value());
    }

    @Test
    void deniedCallsAnswerAccessDeniedException() {
        endpoint.faults().denyNext("secretsmanager.GetSecretValue", 1);

        AwsServiceException denied = failure(secrets.getSecretValue(g -> g.secretId("any")));

        assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
        assertEquals(400, denied.statusCode());
    }

    @Test
    void injectedErrorCodesAnswer400WithoutApplying() {
        endpoint.faults()
                .errorNext(PUT, 1, "ParameterAlreadyExists")
                .errorNext("secretsmanager.DeleteSecret", 1, "InvalidRequestException");

        AwsServiceException ssmError = failure(ssm.putParameter(p -> p.name(NAME).value("v1").type(ParameterType.STRING)));
        AwsServiceException secretsError = failure(secrets.deleteSecret(d -> d.secretId("any")));

        assertEquals("ParameterAlreadyExists", ssmError.awsErrorDetails().errorCode());
        assertEquals(400, ssmError.statusCode());
        assertEquals("InvalidRequestException", secretsError.awsErrorDetails().errorCode());
        assertEquals(400, secretsError.statusCode());
        assertEquals("ParameterNotFound", errorCode(ssm.getParameter(g -> g.name(NAME))));
    }

    @Test
    void errorCodesThatAreNotAwsErrorCodesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> endpoint.faults().errorNext(GET, 1, null));
        assertThrows(IllegalArgumentException.class, () -> endpoint.faults().errorNext(GET, 1, "Not a code"));
    }

    @Test
    void wildcardRulesMatchEveryTargetAndAreConsumedInOrder() {
        endpoint.faults().throttleNext(Faults.ALL, 1).denyNext(Faults.ALL, 1);

        assertEquals("ThrottlingException", errorCode(secrets.describeSecret(d -> d.secretId("any"))));
        assertEquals("AccessDeniedException", errorCode(ssm.getParameter(g -> g.name(NAME))));
        assertEquals("ParameterNotFound", errorCode(ssm.getParameter(g -> g.name(NAME))));
        assertEquals(Map.of(GET, 2L, "secretsmanager.DescribeSecret", 1L), endpoint.calls());
    }

    @Test
    void resetRemovesPendingFaults() {
        put("v1");
        endpoint.faults().failNext(Faults.ALL, 5).latency(GET, Duration.ofSeconds(30));

        endpoint.faults().reset();

        assertEquals("v1", value());
    }

    @Test
    void injectedLatencyDelaysTheAnswer() {
        put("v1");
        Duration latency = Duration.ofMillis(300);
        endpoint.faults().latency(GET, latency);

        long started = System.nanoTime();
        value();

        assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(latency) >= 0);
    }

    @Test
    void aDelayedCallDoesNotHoldUpOtherCalls() {
        put("v1");
        endpoint.faults().latency(GET, Duration.ofSeconds(2));

        CompletableFuture<GetParameterResponse> slow = ssm.getParameter(g -> g.name(NAME));
        put("v2");

        assertFalse(slow.isDone());
        assertEquals("v2", slow.join().parameter().value());
    }

    /** A fault is taken by the next call to arrive, not by one that arrived earlier and is still waiting. */
    @Test
    void aCallWaitingOutItsLatencyDoesNotTakeAFaultAddedAfterItArrived() throws Exception {
        put("v1");
        endpoint.resetCalls();
        endpoint.faults().latency(GET, Duration.ofMillis(500));
        CompletableFuture<GetParameterResponse> waiting = ssm.getParameter(g -> g.name(NAME));
        Await.until(Duration.ofSeconds(5), () -> endpoint.calls(GET) == 1);

        endpoint.faults().reset();
        endpoint.faults().denyNext(GET, 1);

        assertEquals("v1", waiting.join().parameter().value());
        assertEquals("AccessDeniedException", errorCode(ssm.getParameter(g -> g.name(NAME))));
    }

    @Test
    void defaultRetryStrategyRetriesThrottlingUntilItSucceeds() {
        put("v1");
        endpoint.resetCalls();
        endpoint.faults().throttleNext(GET, 2);

        try (SsmAsyncClient retrying = ssmClient(endpoint.uri(), true)) {
            assertEquals("v1", retrying.getParameter(g -> g.name(NAME)).join().parameter().value());
        }

        assertEquals(3, endpoint.calls(GET));
    }

    private void put(String value) {
        ssm.putParameter(p -> p.name(NAME).value(value).type(ParameterType.STRING).overwrite(true)).join();
    }

    private String value() {
        return ssm.getParameter(g -> g.name(NAME)).join().parameter().value();
    }
}
