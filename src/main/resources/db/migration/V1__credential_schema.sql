-- Credential broker schema, version 1.
-- Postgres keeps references, rotation state, schedules and the audit trail; secret values
-- live only in AWS SSM Parameter Store or Secrets Manager.

-- A portal (payer website) that a tenant's workers log into.
CREATE TABLE integration_endpoint (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id           text        NOT NULL,
    portal_id           text        NOT NULL,
    name                text        NOT NULL,
    portal_type         text        NOT NULL,
    -- Non-secret settings; legacy rows may still hold credentials under "credentials".
    config              jsonb       NOT NULL DEFAULT '{}'::jsonb,
    -- ARN of the SSM parameter or Secrets Manager secret; NULL when none is stored.
    secret_arn          text,
    -- The broker's own version counter: +1 for every store or completed rotation.
    secret_version      bigint      NOT NULL DEFAULT 0,
    -- The store's id of the current version (SSM version number, Secrets Manager VersionId).
    secret_version_id   text,
    -- The store's id of a rotation's pending version, until it is promoted or abandoned.
    pending_version_id  text,
    rotation_started_at timestamptz,
    last_rotated_at     timestamptz,
    rotation_status     text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT integration_endpoint_tenant_portal_key UNIQUE (tenant_id, portal_id),
    CONSTRAINT integration_endpoint_tenant_id_check CHECK (tenant_id ~ '^[A-Za-z0-9_.-]{1,128}$'),
    CONSTRAINT integration_endpoint_portal_id_check CHECK (portal_id ~ '^[A-Za-z0-9_.-]{1,128}$'),
    CONSTRAINT integration_endpoint_config_check CHECK (jsonb_typeof(config) = 'object'),
    CONSTRAINT integration_endpoint_rotation_status_check
        CHECK (rotation_status IN ('active', 'failed', 'pending')),
    CONSTRAINT integration_endpoint_secret_check
        CHECK (secret_arn IS NOT NULL OR (secret_version_id IS NULL AND pending_version_id IS NULL))
);

-- Every credential access, successful or not. Append-only: no foreign key to
-- integration_endpoint, so that entries outlive the endpoints they describe and record
-- attempts on portals that never existed.
CREATE TABLE credential_access_log (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id     text        NOT NULL,
    portal_id     text,
    secret_arn    text,
    access_type   text        NOT NULL,
    access_by     text        NOT NULL,
    ip_address    inet,
    user_agent    text,
    success       boolean     NOT NULL,
    error_message text,
    accessed_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT credential_access_log_access_type_check
        CHECK (access_type IN ('retrieve', 'store', 'rotate', 'delete', 'register')),
    CONSTRAINT credential_access_log_error_check CHECK (success OR error_message IS NOT NULL)
);

CREATE INDEX credential_access_log_tenant_time_idx
    ON credential_access_log (tenant_id, accessed_at DESC, id DESC);
CREATE INDEX credential_access_log_portal_time_idx
    ON credential_access_log (tenant_id, portal_id, accessed_at DESC, id DESC);

CREATE FUNCTION credential_access_log_append_only() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION 'credential_access_log is append-only';
END;
$$;

CREATE TRIGGER credential_access_log_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON credential_access_log
    FOR EACH STATEMENT EXECUTE FUNCTION credential_access_log_append_only();

-- When each portal's credentials are due for rotation.
CREATE TABLE credential_rotation_schedule (
    endpoint_id            bigint      PRIMARY KEY
        REFERENCES integration_endpoint (id) ON DELETE CASCADE,
    rotation_interval_days integer     NOT NULL DEFAULT 90,
    auto_rotate            boolean     NOT NULL DEFAULT false,
    notification_emails    text[]      NOT NULL DEFAULT '{}',
    next_rotation_at       timestamptz NOT NULL,
    last_result            text,
    last_result_at         timestamptz,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT credential_rotation_schedule_interval_check
        CHECK (rotation_interval_days BETWEEN 1 AND 3650),
    CONSTRAINT credential_rotation_schedule_last_result_check
        CHECK (last_result IN ('success', 'failed'))
);

CREATE INDEX credential_rotation_schedule_next_rotation_idx
    ON credential_rotation_schedule (next_rotation_at);
