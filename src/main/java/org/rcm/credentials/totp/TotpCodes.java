package org.rcm.credentials.totp;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import org.rcm.credentials.credential.CredentialReader;
import org.rcm.credentials.error.BrokerException;
import org.rcm.credentials.secretstore.SecretNames;
import org.rcm.credentials.tenant.Caller;

/** GenerateTotp: the code of the portal's MFA seed, read like GetCredentials, so that workers never need the seed. */
@ApplicationScoped
public class TotpCodes {

    private final CredentialReader reader;
    private final TotpGenerator totp;

    public TotpCodes(CredentialReader reader, TotpGenerator totp) {
        this.reader = reader;
        this.totp = totp;
    }

    /** The current code of the portal's MFA seed. NOT_FOUND without a seed. */
    public Uni<TotpGenerator.Code> current(Caller caller, String portalId) {
        String portal = SecretNames.requireId("portal_id", portalId);
        return reader.read(caller, portal)
                .map(read -> codeOf(portal, read.credentials().mfaSeed()));
    }

    private TotpGenerator.Code codeOf(String portal, String seed) {
        if (seed.isEmpty()) {
            throw BrokerException.notFound("NO_MFA_SEED", "portal " + portal + " has no mfa_seed");
        }
        try {
            return totp.generate(seed, Instant.now());
        } catch (IllegalArgumentException e) {
            throw BrokerException.unavailable("INVALID_MFA_SEED", "the stored mfa_seed of portal " + portal
                    + " is not base32", null);
        }
    }
}
