package org.rcm.credentials.rotation;

import org.rcm.credentials.secretstore.SecretValue;

/**
 * A RotateCredentials request, free of the wire format.
 *
 * @param newCredentials empty fields keep the current values; an empty password is generated under {@code policy}
 */
public record RotationRequest(String portalId, SecretValue newCredentials, PasswordGenerator.Policy policy,
        String idempotencyKey) {
}
