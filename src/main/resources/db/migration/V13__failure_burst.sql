-- A failed retrieval or login that made its tenant's failures in the window more than the
-- threshold (the seed's "failed credential retrieval > 5 in 5 minutes"), flagged on its row.
ALTER TABLE credential_access_log ADD COLUMN failure_burst boolean NOT NULL DEFAULT false;
