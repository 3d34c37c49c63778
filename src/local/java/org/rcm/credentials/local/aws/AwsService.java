package org.rcm.credentials.local.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** One faked AWS service: an in-memory, thread-safe state machine behind its JSON operations. */
interface AwsService {

    /** The {@code X-Amz-Target} prefix, including the dot, e.g. {@code AmazonSSM.}. */
    String targetPrefix();

    /** The error code of this service's 500 answer. */
    String internalErrorCode();

    /** The error code of this service's throttling answer. */
    default String throttlingCode() {
        return "ThrottlingException";
    }

    /** This service's answer to a call that IAM denies (an injected denial). */
    default AwsError denied(String target) {
        return AwsError.client("AccessDeniedException", "Not authorized to perform " + target + " (injected)");
    }

    /**
     * Whether a call signed with a tenant session may only name its tenant's resources
     * ({@link TemporaryCredentials#authorize}); STS, which issues the sessions, is not.
     */
    default boolean scopedToSessionTenant() {
        return true;
    }

    /** Runs one operation; throws {@link AwsError} without changing state when it fails. */
    ObjectNode execute(String operation, JsonInput input);

    /** A deep copy of the state, for the state file. */
    JsonNode snapshot();

    /** Replaces the state with one from {@link #snapshot()}. */
    void restore(JsonNode snapshot);

    void clear();
}
