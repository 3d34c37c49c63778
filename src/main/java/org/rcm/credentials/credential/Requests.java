package org.rcm.credentials.credential;

import org.rcm.credentials.secretstore.SecretBackend;
import org.rcm.credentials.secretstore.SecretValue;

/** The credential operations' inputs, free of the wire format. */
public final class Requests {

    private Requests() {
    }

    /** @param backend null means the configured default */
    public record Store(String portalId, SecretValue credentials, SecretBackend backend, String idempotencyKey) {
    }

    /** @param configJson null keeps an existing endpoint's config */
    public record Register(String portalId, String name, String portalType, String configJson) {
    }
}
