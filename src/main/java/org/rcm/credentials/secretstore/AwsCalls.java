package org.rcm.credentials.secretstore;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.rcm.credentials.reactive.VertxContexts;
import org.rcm.credentials.secretstore.SecretStoreException.Reason;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/** Runs AWS async SDK calls as Unis: failures classified, results back on the caller's context. */
final class AwsCalls {

    private AwsCalls() {
    }

    /**
     * Calls AWS when subscribed. SDK futures complete on SDK threads; the result is emitted
     * on the subscriber's Vert.x context (if any), where Hibernate Reactive may be used again.
     */
    static <T> Uni<T> call(Supplier<CompletableFuture<T>> call) {
        return Uni.createFrom().deferred(() -> {
            Context context = Vertx.currentContext();
            Uni<T> result = Uni.createFrom().completionStage(call).onFailure().transform(AwsCalls::classify);
            return context == null ? result : result.emitOn(task -> VertxContexts.runOn(context, task));
        });
    }

    /**
     * SSM's {@code TooManyUpdates}: another update of the same parameter is under way. Not
     * throttling to the SDK, but it passes the same way: retried with backoff
     * ({@link AwsClientProducer}), then the caller is told to retry.
     */
    static boolean isTooManyUpdates(Throwable failure) {
        return failure instanceof AwsServiceException e && e.awsErrorDetails() != null
                && "TooManyUpdates".equals(e.awsErrorDetails().errorCode());
    }

    /** Classifies an SDK failure; the AWS message is dropped, the error code kept. */
    static SecretStoreException classify(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        SecretStoreException classified = classifiedCause(t);
        if (classified != null) {
            return classified;
        }
        if (t instanceof AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            return new SecretStoreException(reasonOf(e, code), code);
        }
        if (t instanceof SdkClientException) {
            return new SecretStoreException(Reason.UNAVAILABLE, null);
        }
        return new SecretStoreException(Reason.UNAVAILABLE, t.getClass().getSimpleName());
    }

    /**
     * A failure classified already, maybe wrapped by the SDK: a tenant session's AssumeRole that
     * failed under an SSM or Secrets Manager call ({@link TenantSessions}).
     */
    private static SecretStoreException classifiedCause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SecretStoreException e) {
                return e;
            }
        }
        return null;
    }

    private static Reason reasonOf(AwsServiceException e, String code) {
        if (e.isThrottlingException() || isTooManyUpdates(e)) {
            return Reason.THROTTLED;
        }
        if (code != null) {
            switch (code) {
                case "InvalidKeyId", "EncryptionFailure", "KMSNotFoundException", "KMSDisabledException",
                        "KMSInvalidStateException":
                    return Reason.KMS_KEY;
                case "LimitExceededException", "ParameterMaxVersionLimitExceeded":
                    return Reason.VERSION_LIMIT;
                case "ParameterNotFound", "ParameterVersionNotFound", "ResourceNotFoundException":
                    return Reason.NOT_FOUND;
                case "ParameterAlreadyExists", "ResourceExistsException":
                    return Reason.ALREADY_EXISTS;
                case "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
                        "KMSAccessDeniedException", "KMSKeyNotAccessibleException", "DecryptionFailure",
                        // STS: the service's role may not assume the tenant role, or STS is off in the region
                        "AccessDenied", "RegionDisabledException":
                    return Reason.ACCESS_DENIED;
                // the service's own AWS credentials or clock, never the caller's request
                case "ExpiredTokenException", "ExpiredToken", "RequestExpired", "IncompleteSignature",
                        "MissingAuthenticationToken", "InvalidClientTokenId", "SignatureDoesNotMatch":
                    return Reason.UNAVAILABLE;
                case "ValidationException", "InvalidParameterException", "InvalidRequestException",
                        "ParameterVersionLabelLimitExceeded":
                    return Reason.INVALID_REQUEST;
                default:
                    break;
            }
        }
        return e.statusCode() >= 500 || e.statusCode() == 0 ? Reason.UNAVAILABLE : Reason.INVALID_REQUEST;
    }
}
