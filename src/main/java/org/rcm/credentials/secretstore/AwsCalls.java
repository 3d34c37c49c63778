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

    /** Classifies an SDK failure; the AWS message is dropped, the error code kept. */
    static SecretStoreException classify(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof SecretStoreException e) {
            return e;
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

    private static Reason reasonOf(AwsServiceException e, String code) {
        if (e.isThrottlingException()) {
            return Reason.THROTTLED;
        }
        if (code != null) {
            switch (code) {
                case "ParameterNotFound", "ParameterVersionNotFound", "ResourceNotFoundException":
                    return Reason.NOT_FOUND;
                case "ParameterAlreadyExists", "ResourceExistsException":
                    return Reason.ALREADY_EXISTS;
                case "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
                        "KMSAccessDeniedException", "KMSDisabledException", "KMSInvalidStateException",
                        "KMSNotFoundException", "KMSKeyNotAccessibleException", "InvalidKeyId",
                        "DecryptionFailure", "EncryptionFailure":
                    return Reason.ACCESS_DENIED;
                // the service's own AWS credentials or clock, never the caller's request
                case "ExpiredTokenException", "ExpiredToken", "RequestExpired", "IncompleteSignature",
                        "MissingAuthenticationToken", "InvalidClientTokenId", "SignatureDoesNotMatch":
                    return Reason.UNAVAILABLE;
                case "ValidationException", "InvalidParameterException", "InvalidRequestException",
                        "ParameterMaxVersionLimitExceeded", "ParameterVersionLabelLimitExceeded":
                    return Reason.INVALID_REQUEST;
                default:
                    break;
            }
        }
        return e.statusCode() >= 500 || e.statusCode() == 0 ? Reason.UNAVAILABLE : Reason.INVALID_REQUEST;
    }
}
