-- Rotation as a workflow: worker-driven rotations, reminders and escalations of due
-- schedules, and an outbox of e-mail notifications.

-- A worker-driven rotation holds its portal until it completes or expires, longer than the
-- lease of an in-process change: the claim says until when (NULL: the configured lease).
ALTER TABLE integration_endpoint ADD COLUMN rotation_expires_at timestamptz;

CREATE TABLE worker_rotation (
    rotation_id        uuid        PRIMARY KEY,
    endpoint_id        bigint      NOT NULL REFERENCES integration_endpoint (id) ON DELETE CASCADE,
    tenant_id          text        NOT NULL,
    -- The principal and role that began it; only that principal may complete it.
    started_by         text        NOT NULL,
    started_role       text        NOT NULL,
    -- The claim of integration_endpoint.rotation_started_at this rotation holds.
    claimed_at         timestamptz NOT NULL,
    pending_version_id text,
    pending_version    bigint      NOT NULL,
    idempotency_key    text,
    expires_at         timestamptz NOT NULL,
    state              text        NOT NULL DEFAULT 'pending',
    failure_reason     text,
    -- The answer of a completed rotation, for an idempotent retry of CompleteRotation.
    result_version     bigint,
    result_at          timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    completed_at       timestamptz,
    CONSTRAINT worker_rotation_state_check
        CHECK (state IN ('pending', 'succeeded', 'failed', 'expired')),
    CONSTRAINT worker_rotation_role_check CHECK (started_role IN ('worker', 'admin')),
    CONSTRAINT worker_rotation_reason_check CHECK (char_length(failure_reason) <= 256)
);

-- One pending rotation per portal; a key names one rotation per portal.
CREATE UNIQUE INDEX worker_rotation_one_pending ON worker_rotation (endpoint_id) WHERE state = 'pending';
CREATE UNIQUE INDEX worker_rotation_idempotency_key ON worker_rotation (endpoint_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX worker_rotation_expiry_idx ON worker_rotation (expires_at) WHERE state = 'pending';

-- When the job last reminded of a due rotation and escalated an overdue one: once per due date.
ALTER TABLE credential_rotation_schedule
    ADD COLUMN reminded_at  timestamptz,
    ADD COLUMN escalated_at timestamptz;

CREATE TABLE notification_outbox (
    id              bigserial   PRIMARY KEY,
    tenant_id       text        NOT NULL,
    portal_id       text        NOT NULL,
    kind            text        NOT NULL,
    recipients      text[]      NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claimed_until   timestamptz,
    sent_at         timestamptz,
    CONSTRAINT notification_outbox_kind_check
        CHECK (kind IN ('rotation_failed', 'rotation_expired', 'rotation_due', 'rotation_overdue'))
);

CREATE INDEX notification_outbox_unsent_idx ON notification_outbox (next_attempt_at) WHERE sent_at IS NULL;

ALTER TABLE credential_access_log
    DROP CONSTRAINT credential_access_log_access_type_check,
    ADD CONSTRAINT credential_access_log_access_type_check
        CHECK (access_type IN ('retrieve', 'store', 'rotate', 'delete', 'register', 'admin', 'migrate', 'revoke',
                               'schedule'));
