package org.rcm.credentials.credential;

import java.time.Instant;
import org.rcm.credentials.endpoint.RotationState;
import org.rcm.credentials.secretstore.SecretValue;

/** What the credential operations answer. */
public final class Results {

    private Results() {
    }

    /** A credential read. {@code version} is 0 and {@code lastRotatedAt} null for legacy config. */
    public record CredentialRead(SecretValue credentials, CredentialSource source, long version, Instant lastRotatedAt,
            RotationState rotationStatus) {

        /** The same read without the MFA seed. */
        public CredentialRead withoutMfaSeed() {
            return new CredentialRead(new SecretValue(credentials.username(), credentials.password(), "",
                    credentials.metadata()), source, version, lastRotatedAt, rotationStatus);
        }
    }

    public record Stored(long version, Instant storedAt, RotationState rotationStatus) {
    }
}
