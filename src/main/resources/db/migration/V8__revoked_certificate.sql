-- Client certificates revoked before they expire (RevokeClientCertificate), by SHA-256
-- fingerprint or by serial number and issuer. An entry applies to certificates that map to its
-- tenant only. Every replica keeps the list in memory and reloads it on a NOTIFY.
CREATE TABLE revoked_certificate (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id          text        NOT NULL,
    -- Lower-case hex SHA-256 of the DER-encoded certificate; or NULL with serial and issuer.
    fingerprint_sha256 text,
    -- Lower-case hex serial number without leading zeros, and the issuer's canonical DN.
    serial_number      text,
    issuer             text,
    reason             text,
    revoked_by         text        NOT NULL,
    revoked_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT revoked_certificate_tenant_id_check CHECK (tenant_id ~ '^[A-Za-z0-9_.-]{1,128}$'),
    CONSTRAINT revoked_certificate_what_check CHECK (
        (fingerprint_sha256 ~ '^[0-9a-f]{64}$' AND serial_number IS NULL AND issuer IS NULL)
        OR (fingerprint_sha256 IS NULL AND serial_number ~ '^[0-9a-f]{1,64}$' AND issuer IS NOT NULL))
);

CREATE UNIQUE INDEX revoked_certificate_fingerprint_key
    ON revoked_certificate (tenant_id, fingerprint_sha256) WHERE fingerprint_sha256 IS NOT NULL;
CREATE UNIQUE INDEX revoked_certificate_serial_key
    ON revoked_certificate (tenant_id, serial_number, issuer) WHERE serial_number IS NOT NULL;

ALTER TABLE credential_access_log
    DROP CONSTRAINT credential_access_log_access_type_check,
    ADD CONSTRAINT credential_access_log_access_type_check
        CHECK (access_type IN ('retrieve', 'store', 'rotate', 'delete', 'register', 'admin', 'migrate', 'revoke'));
