package org.rcm.credentials.credential;

/** Where a credential read came from. */
public enum CredentialSource {
    /** SSM Parameter Store or Secrets Manager. */
    SECRET_STORE,
    /** The endpoint's legacy {@code config.credentials} (dual read). */
    LEGACY_CONFIG
}
