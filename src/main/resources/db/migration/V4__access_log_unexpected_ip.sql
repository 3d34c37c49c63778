-- Calls from outside the tenant's allowed address ranges (rcm.network): refused ones have
-- success = false, flagged ones were served. Either way the row says so.
ALTER TABLE credential_access_log ADD COLUMN unexpected_ip boolean NOT NULL DEFAULT false;

CREATE INDEX credential_access_log_unexpected_ip_idx
    ON credential_access_log (tenant_id, accessed_at DESC) WHERE unexpected_ip;
