-- Explicit client-certificate mappings, for certificates that carry no SPIFFE id and match
-- no subject-CN pattern (rcm.identity.mappings must include "table").
CREATE TABLE client_certificate (
    -- Lower-case hex SHA-256 of the DER-encoded certificate.
    fingerprint_sha256 text        PRIMARY KEY,
    tenant_id          text        NOT NULL,
    role               text        NOT NULL,
    description        text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT client_certificate_fingerprint_check CHECK (fingerprint_sha256 ~ '^[0-9a-f]{64}$'),
    CONSTRAINT client_certificate_tenant_id_check CHECK (tenant_id ~ '^[A-Za-z0-9_.-]{1,128}$'),
    CONSTRAINT client_certificate_role_check CHECK (role IN ('worker', 'admin'))
);
