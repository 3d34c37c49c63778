-- First answers of requests that carried an idempotency key, so that a retry gets the same
-- answer without a second write. Requests are kept only as salted hashes: a request may
-- contain a password, which never lands in Postgres.
CREATE TABLE idempotency_record (
    tenant_id       text        NOT NULL,
    idempotency_key text        NOT NULL,
    operation       text        NOT NULL,
    -- hex(salt) ':' hex(sha256(salt || canonical request))
    request_hash    text        NOT NULL,
    -- The first answer; NULL while the first request is still in progress.
    response        jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, idempotency_key)
);

CREATE INDEX idempotency_record_created_idx ON idempotency_record (created_at);
