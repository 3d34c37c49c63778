package org.rcm.credentials.secretstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rcm.credentials.secretstore.SecretStoreException.Reason;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

/** Every AWS error the stores can meet becomes one domain reason; AWS's message is dropped. */
class AwsErrorClassificationTest {

    @ParameterizedTest(name = "{0} ({1}) is {2}")
    @CsvSource({
        "ParameterNotFound, 400, NOT_FOUND",
        "ParameterVersionNotFound, 400, NOT_FOUND",
        "ResourceNotFoundException, 400, NOT_FOUND",
        "ParameterAlreadyExists, 400, ALREADY_EXISTS",
        "ResourceExistsException, 400, ALREADY_EXISTS",
        "ThrottlingException, 400, THROTTLED",
        "TooManyRequestsException, 429, THROTTLED",
        "InternalServerError, 500, UNAVAILABLE",
        "InternalServiceError, 500, UNAVAILABLE",
        "ServiceUnavailable, 503, UNAVAILABLE",
        "AccessDeniedException, 400, ACCESS_DENIED",
        "UnrecognizedClientException, 400, ACCESS_DENIED",
        "DecryptionFailure, 400, ACCESS_DENIED",
        "KMSAccessDeniedException, 400, ACCESS_DENIED",
        "KMSKeyNotAccessibleException, 400, ACCESS_DENIED",
        "KMSDisabledException, 400, KMS_KEY",
        "KMSInvalidStateException, 400, KMS_KEY",
        "KMSNotFoundException, 400, KMS_KEY",
        "InvalidKeyId, 400, KMS_KEY",
        "EncryptionFailure, 400, KMS_KEY",
        "TooManyUpdates, 400, THROTTLED",
        "LimitExceededException, 400, VERSION_LIMIT",
        "ParameterMaxVersionLimitExceeded, 400, VERSION_LIMIT",
        "ExpiredTokenException, 400, UNAVAILABLE",
        "ExpiredToken, 403, UNAVAILABLE",
        "RequestExpired, 400, UNAVAILABLE",
        "InvalidClientTokenId, 403, UNAVAILABLE",
        "SignatureDoesNotMatch, 403, UNAVAILABLE",
        "MissingAuthenticationToken, 403, UNAVAILABLE",
        "IncompleteSignature, 400, UNAVAILABLE",
        "ValidationException, 400, INVALID_REQUEST",
        "InvalidParameterException, 400, INVALID_REQUEST",
        "InvalidRequestException, 400, INVALID_REQUEST",
        // STS, assuming a tenant's session (TenantSessions)
        "Throttling, 400, THROTTLED",
        "AccessDenied, 403, ACCESS_DENIED",
        "RegionDisabledException, 403, ACCESS_DENIED",
        "InternalFailure, 500, UNAVAILABLE",
    })
    void classifiesServiceErrors(String code, int status, Reason expected) {
        SecretStoreException e = AwsCalls.classify(new CompletionException(
                serviceError(code, status, "Parameter /rcm/prod/org-123/p not found in 123456789012")));

        assertEquals(expected, e.reason());
        assertThat(e.getMessage()).doesNotContain("rcm/").doesNotContain("123456789012");
    }

    @Test
    void aTenantSessionsClassifiedFailureWrappedByTheSdkKeepsItsReason() {
        SecretStoreException throttled = new SecretStoreException(Reason.THROTTLED, "Throttling");

        SecretStoreException e = AwsCalls.classify(new CompletionException(
                SdkClientException.create("Unable to load credentials", throttled)));

        assertEquals(Reason.THROTTLED, e.reason());
    }

    /** A tenant role's setup error is the service's, never an invalid request of the caller's. */
    @ParameterizedTest(name = "AssumeRole answering {0} ({1}) is {2}")
    @CsvSource({
        "ValidationError, 400, ACCESS_DENIED",
        "PackedPolicyTooLarge, 400, ACCESS_DENIED",
        "MalformedPolicyDocument, 400, ACCESS_DENIED",
        "AccessDenied, 403, ACCESS_DENIED",
        "Throttling, 400, THROTTLED",
        "InternalFailure, 500, UNAVAILABLE",
        "ExpiredToken, 400, UNAVAILABLE",
    })
    void classifiesAssumeRoleErrors(String code, int status, Reason expected) {
        SecretStoreException e = TenantSessions.classify(new CompletionException(
                serviceError(code, status, "arn:aws:iam::123456789012:role/rcm-prod-tenant")));

        assertEquals(expected, e.reason());
        assertEquals(code, e.awsErrorCode());
        assertThat(e.getMessage()).doesNotContain("123456789012");
    }

    @Test
    void connectionFailuresAndTimeoutsAreUnavailable() {
        assertEquals(Reason.UNAVAILABLE, AwsCalls.classify(SdkClientException.create("x", new ConnectException())).reason());
        assertEquals(Reason.UNAVAILABLE, AwsCalls.classify(ApiCallTimeoutException.create(5000)).reason());
    }

    /** AWS's answer {@code code} with {@code status}, whose message names what must never be echoed. */
    private static AwsServiceException serviceError(String code, int status, String message) {
        return AwsServiceException.builder()
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build())
                .statusCode(status)
                .message(message)
                .build();
    }
}
