package org.rcm.credentials.local.aws;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An AWS error answer: an HTTP status and, on AWS JSON 1.1, {@code {"__type": code, "message": text}}
 * (the Query protocol's XML: {@link QueryProtocol#error}).
 * Messages never contain secret or parameter values.
 */
final class AwsError extends RuntimeException {

    private final String code;
    private final int status;

    private AwsError(String code, int status, String message) {
        super(message, null, false, false);
        this.code = code;
        this.status = status;
    }

    /** A 400 error. */
    static AwsError client(String code, String message) {
        return new AwsError(code, 400, message);
    }

    /** An error with another status, e.g. STS's 403 {@code AccessDenied}. */
    static AwsError of(String code, int status, String message) {
        return new AwsError(code, status, message);
    }

    static AwsError validation(String message) {
        return client("ValidationException", message);
    }

    /** A 500 error: SSM {@code InternalServerError} or Secrets Manager {@code InternalServiceError}. */
    static AwsError server(String code) {
        return new AwsError(code, 500, "An internal error occurred. Try again.");
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    /** SSM's modeled {@code Parameter*} errors carry a lowercase {@code message}, all others {@code Message}. */
    ObjectNode body() {
        return Json.object()
                .put("__type", code)
                .put(code.startsWith("Parameter") ? "message" : "Message", getMessage());
    }
}
