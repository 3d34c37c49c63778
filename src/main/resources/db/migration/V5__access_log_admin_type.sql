-- Refused calls of the other administrative RPCs (rotation schedules, access-log queries,
-- legacy migration) are audited as 'admin'. The check only widens, so existing rows satisfy
-- it: added NOT VALID, then validated without blocking concurrent inserts for the scan.
ALTER TABLE credential_access_log
    DROP CONSTRAINT credential_access_log_access_type_check,
    ADD CONSTRAINT credential_access_log_access_type_check
        CHECK (access_type IN ('retrieve', 'store', 'rotate', 'delete', 'register', 'admin')) NOT VALID;
ALTER TABLE credential_access_log VALIDATE CONSTRAINT credential_access_log_access_type_check;
