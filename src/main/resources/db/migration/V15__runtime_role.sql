-- Least privilege: migrations run as the owner of the schema; the service runs as a separate
-- runtime login (placeholder runtime_role, RCM_DB_USER) with only what its queries need:
-- - the access log: INSERT and SELECT, never UPDATE, DELETE, TRUNCATE; no right on a partition;
-- - client_certificate, whose rows grant a tenant's admin role: SELECT only;
-- - revoked_certificate: SELECT and INSERT (a revocation is never taken back by the service);
-- - no DDL anywhere (it owns nothing, and PostgreSQL 15+ gives PUBLIC no CREATE on public);
-- - partitions are added and retired only through the two SECURITY DEFINER functions of V14.
-- When both are the same login (a quick start, warned about at start-up) there is nothing to
-- grant. A later migration that adds a table grants on it the same way.
DO $$
DECLARE
    runtime text := '${runtime_role}';
BEGIN
    IF runtime = current_user THEN
        RAISE NOTICE 'the runtime role is the migration role: no privilege is separated';
        RETURN;
    END IF;
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I', runtime);
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM %I', runtime);
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', runtime);
    EXECUTE format('GRANT SELECT, INSERT ON credential_access_log, revoked_certificate TO %I', runtime);
    EXECUTE format('GRANT SELECT ON credential_access_log_cut, client_certificate TO %I', runtime);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON integration_endpoint, credential_rotation_schedule,
                        idempotency_record, worker_rotation, notification_outbox, totp_step_claim
                    TO %I', runtime);
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO %I', runtime);
    EXECUTE format('GRANT EXECUTE ON FUNCTION credential_access_log_add_partitions(timestamptz, timestamptz),
                        credential_access_log_drop_partitions(timestamptz) TO %I', runtime);
END;
$$;
