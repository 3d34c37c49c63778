-- GenerateTotp is audited as its own access type, and an exclusive step's code goes to one
-- caller only: the first to claim (tenant, portal, step) here, across every replica.
CREATE TABLE totp_step_claim (
    tenant_id  text        NOT NULL,
    portal_id  text        NOT NULL,
    step       bigint      NOT NULL,
    claimed_by text        NOT NULL,
    claimed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, portal_id, step)
);

CREATE INDEX totp_step_claim_claimed_idx ON totp_step_claim (claimed_at);

ALTER TABLE credential_access_log
    DROP CONSTRAINT credential_access_log_access_type_check,
    ADD CONSTRAINT credential_access_log_access_type_check
        CHECK (access_type IN ('retrieve', 'store', 'rotate', 'delete', 'register', 'admin', 'migrate', 'revoke',
                               'schedule', 'totp'));
