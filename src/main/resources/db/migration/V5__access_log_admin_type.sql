-- Refused calls of the other administrative RPCs (rotation schedules, access-log queries,
-- legacy migration) are audited as 'admin'. The check only widens, so existing rows satisfy
-- it. Flyway runs this script in one transaction, so the table stays locked while the new
-- check scans it: fine for a table created in the same release. A later change to a large
-- audit table would add its check NOT VALID here and validate it in a migration of its own.
ALTER TABLE credential_access_log
    DROP CONSTRAINT credential_access_log_access_type_check,
    ADD CONSTRAINT credential_access_log_access_type_check
        CHECK (access_type IN ('retrieve', 'store', 'rotate', 'delete', 'register', 'admin'));
