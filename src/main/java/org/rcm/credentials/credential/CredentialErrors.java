package org.rcm.credentials.credential;

import org.rcm.credentials.endpoint.Endpoint;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.secretstore.SecretStoreException;

/** The caller-facing errors of the credential operations, sanitised: a portal id at most, never an ARN. */
public final class CredentialErrors {

    private CredentialErrors() {
    }

    public static BrokerException noCredentials(String portal) {
        return BrokerException.notFound("NO_CREDENTIALS", "no credentials for portal " + portal);
    }

    public static BrokerException noCredentials(Endpoint endpoint) {
        return noCredentials(endpoint.portalId());
    }

    /** The portal's credential is paused after failed logins. */
    public static BrokerException paused(String portal) {
        return BrokerException.failedPrecondition("CREDENTIAL_PAUSED", "the credentials of portal " + portal
                + " are paused after failed logins; an admin stores new ones, completes a rotation or resumes them");
    }

    public static String notRegistered(String portal) {
        return "portal " + portal + " is not registered";
    }

    public static BrokerException invalidReference(Endpoint endpoint) {
        return BrokerException.unavailable("INVALID_SECRET_REFERENCE",
                "the stored secret reference of portal " + endpoint.portalId() + " is invalid; contact an operator", null);
    }

    /** A read from the secret store failed: not found is the portal's absence of credentials; the rest is the store's. */
    public static BrokerException readFailure(Endpoint endpoint, SecretStoreException failure) {
        if (failure.reason() == SecretStoreException.Reason.NOT_FOUND) {
            return noCredentials(endpoint);
        }
        return BrokerException.unavailable("SECRET_STORE_" + failure.reason().name(), failure.callerMessage(), failure);
    }

    public static BrokerException writeFailure(SecretStoreException failure) {
        return switch (failure.reason()) {
            case INVALID_REQUEST -> BrokerException.invalidInput("SECRET_REJECTED", "the secret store rejected the credentials");
            case VERSION_LIMIT -> BrokerException.failedPrecondition("SECRET_VERSION_LIMIT", "the secret store keeps at most"
                    + " 100 versions of a secret and removes none younger than 24 hours: this portal's credentials were"
                    + " changed too often; retry later, and change them at most every 15 minutes");
            case ALREADY_EXISTS -> BrokerException.conflict("SECRET_VERSION_CONFLICT",
                    "the secret store already has a different version for this request");
            default -> BrokerException.unavailable("SECRET_STORE_" + failure.reason().name(), failure.callerMessage(), failure);
        };
    }
}
