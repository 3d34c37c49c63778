-- Login outcomes reported by workers: consecutive failures of the current version, and a
-- pause that hands the credential to nobody until an admin acts.
ALTER TABLE integration_endpoint
    ADD COLUMN login_failures integer     NOT NULL DEFAULT 0,
    ADD COLUMN paused_at      timestamptz;

ALTER TABLE notification_outbox
    DROP CONSTRAINT notification_outbox_kind_check,
    ADD CONSTRAINT notification_outbox_kind_check
        CHECK (kind IN ('rotation_failed', 'rotation_expired', 'rotation_due', 'rotation_overdue', 'credential_paused'));

ALTER TABLE credential_access_log
    DROP CONSTRAINT credential_access_log_access_type_check,
    ADD CONSTRAINT credential_access_log_access_type_check
        CHECK (access_type IN ('retrieve', 'store', 'rotate', 'delete', 'register', 'admin', 'migrate', 'revoke',
                               'schedule', 'totp', 'login_outcome'));
