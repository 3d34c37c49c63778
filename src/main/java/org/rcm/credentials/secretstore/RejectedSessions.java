package org.rcm.credentials.secretstore;

import java.util.Set;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.awscore.AwsRequest;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Drops a tenant's session that AWS no longer accepts (expired before its time, say after a
 * clock jump, or unknown to AWS), so that the tenant's next call assumes a new one instead of
 * failing until the cached session's expiry. The failed call itself stays failed (UNAVAILABLE
 * or ACCESS_DENIED, {@link AwsCalls#classify}).
 */
final class RejectedSessions implements ExecutionInterceptor {

    private static final Set<String> REJECTED_CREDENTIALS = Set.of("ExpiredTokenException", "ExpiredToken",
            "UnrecognizedClientException", "InvalidClientTokenId");

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        if (rejectsCredentials(context.exception()) && context.request() instanceof AwsRequest request) {
            request.overrideConfiguration()
                    .flatMap(AwsRequestOverrideConfiguration::credentialsIdentityProvider)
                    .filter(TenantSession.class::isInstance)
                    .ifPresent(session -> ((TenantSession) session).discard());
        }
    }

    private static boolean rejectsCredentials(Throwable failure) {
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof AwsServiceException e && e.awsErrorDetails() != null
                && REJECTED_CREDENTIALS.contains(e.awsErrorDetails().errorCode());
    }
}
