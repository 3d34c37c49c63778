-- The legacy migration (MigrateLegacyCredentials, PurgeLegacyCredentials): where a portal's
-- plaintext config.credentials stand.
--   NULL                 no migration happened: config.credentials, if any, is the only copy
--                        (served by GetCredentials while no secret is stored), or was removed
--                        by a later Store, Rotate or Delete;
--   'migrated_verified'  the current secret was written from config.credentials and read back
--                        equal; the plaintext copy is still there, and GetCredentials may serve
--                        it while the secret store fails transiently with nothing cached;
--   'purged'             the plaintext copy was removed after a second read-back.
-- Nothing reads the old column set differently, so existing rows keep NULL.
ALTER TABLE integration_endpoint
    ADD COLUMN legacy_migration text,
    ADD CONSTRAINT integration_endpoint_legacy_migration_check
        CHECK (legacy_migration IN ('migrated_verified', 'purged'));

-- Portals that still hold plaintext credentials, per tenant in portal order: the migration's
-- and purge's pages.
CREATE INDEX integration_endpoint_legacy_credentials_idx
    ON integration_endpoint (tenant_id, portal_id) WHERE config ? 'credentials';

-- The migration's audit rows ('migrate': one per call and one per portal migrated or purged).
ALTER TABLE credential_access_log
    DROP CONSTRAINT credential_access_log_access_type_check,
    ADD CONSTRAINT credential_access_log_access_type_check
        CHECK (access_type IN ('retrieve', 'store', 'rotate', 'delete', 'register', 'admin', 'migrate'));
