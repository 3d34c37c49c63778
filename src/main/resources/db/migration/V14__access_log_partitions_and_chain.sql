-- The access log becomes range-partitioned by month of accessed_at, so that six years of rows
-- age by dropping whole months, and each row joins a hash chain (tamper evidence).
--
-- Chain: rows are chained per tenant and per writer (chain_id, one per broker process, so that
-- replicas never wait for each other); chain_seq counts 1, 2, 3... in a chain, and row_hash is
-- SHA-256 over the previous row's row_hash (32 zero bytes for the first) and the row's fields
-- (audit/AuditChain). Rows written before this migration have no chain.
--
-- Partitions are created ahead and dropped after the retention period only through the two
-- SECURITY DEFINER functions below, which the service's runtime role may call: it has no DDL
-- rights of its own, and no right on any partition itself.
-- Both take the parent's lock for a moment: they give up after 200 ms (lock_timeout) rather than
-- queue the broker's audit inserts behind a long reader, and the job tries again next time.

ALTER TABLE credential_access_log RENAME TO credential_access_log_v13;
ALTER INDEX credential_access_log_pkey RENAME TO credential_access_log_v13_pkey;
ALTER INDEX credential_access_log_tenant_time_idx RENAME TO credential_access_log_v13_tenant_time_idx;
ALTER INDEX credential_access_log_portal_time_idx RENAME TO credential_access_log_v13_portal_time_idx;
ALTER INDEX credential_access_log_unexpected_ip_idx RENAME TO credential_access_log_v13_unexpected_ip_idx;
ALTER SEQUENCE credential_access_log_id_seq RENAME TO credential_access_log_v13_id_seq;

-- Identity columns on partitioned tables need PostgreSQL 17: a plain sequence works on 13+.
CREATE SEQUENCE credential_access_log_id_seq AS bigint;
SELECT setval('credential_access_log_id_seq', coalesce((SELECT max(id) FROM credential_access_log_v13), 0) + 1, false);

CREATE TABLE credential_access_log (
    id            bigint      NOT NULL DEFAULT nextval('credential_access_log_id_seq'),
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
    unexpected_ip boolean     NOT NULL DEFAULT false,
    failure_burst boolean     NOT NULL DEFAULT false,
    chain_id      uuid,
    chain_seq     bigint,
    row_hash      bytea,
    PRIMARY KEY (id, accessed_at),
    CONSTRAINT credential_access_log_access_type_check
        CHECK (access_type IN ('retrieve', 'store', 'rotate', 'delete', 'register', 'admin', 'migrate', 'revoke',
                               'schedule', 'totp', 'login_outcome')),
    CONSTRAINT credential_access_log_error_check CHECK (success OR error_message IS NOT NULL),
    -- all or nothing (lengths are the verifier's to judge: a check per row costs every insert)
    CONSTRAINT credential_access_log_chain_check
        CHECK ((chain_id IS NULL) = (chain_seq IS NULL) AND (chain_id IS NULL) = (row_hash IS NULL))
) PARTITION BY RANGE (accessed_at);
ALTER SEQUENCE credential_access_log_id_seq OWNED BY credential_access_log.id;

CREATE INDEX credential_access_log_tenant_time_idx
    ON credential_access_log (tenant_id, accessed_at DESC, id DESC);
CREATE INDEX credential_access_log_portal_time_idx
    ON credential_access_log (tenant_id, portal_id, accessed_at DESC, id DESC);
CREATE INDEX credential_access_log_unexpected_ip_idx
    ON credential_access_log (tenant_id, accessed_at DESC) WHERE unexpected_ip;

-- The last row of each chain in every partition that retention dropped: verification accepts a
-- chain whose oldest kept row follows exactly that row. Written only by the retention function.
CREATE TABLE credential_access_log_cut (
    tenant_id       text        NOT NULL,
    chain_id        uuid        NOT NULL,
    chain_seq       bigint      NOT NULL,
    row_hash        bytea       NOT NULL,
    partition_start timestamptz NOT NULL,
    dropped_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, chain_id, chain_seq)
);

-- Creates the monthly partitions from the month of first_month to the month of last_month
-- (both included) that do not exist yet; answers how many it created. Safe to call from every
-- replica at once.
CREATE FUNCTION credential_access_log_add_partitions(first_month timestamptz, last_month timestamptz)
    RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET timezone = 'UTC' SET lock_timeout = '200ms' AS
$$
DECLARE
    month   timestamptz := date_trunc('month', first_month);
    name    text;
    created integer := 0;
BEGIN
    IF last_month - first_month > interval '10 years' THEN
        RAISE EXCEPTION 'at most 10 years of partitions at once';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('credential_access_log partitions'));
    WHILE month <= last_month LOOP
        name := 'credential_access_log_' || to_char(month, '"y"YYYY"m"MM');
        IF to_regclass(name) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF credential_access_log FOR VALUES FROM (%L) TO (%L)',
                           name, month, month + interval '1 month');
            -- the parent's statement trigger does not see statements on a partition itself
            EXECUTE format('CREATE TRIGGER credential_access_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON %I
                            FOR EACH STATEMENT EXECUTE FUNCTION credential_access_log_append_only()', name);
            created := created + 1;
        END IF;
        month := month + interval '1 month';
    END LOOP;
    RETURN created;
END;
$$;

-- Detaches and drops the monthly partitions that end at or before cutoff, recording the last
-- row of each chain they held; answers the first day of each month dropped. Refuses a cutoff
-- younger than the retention floor (placeholder audit_retention_floor, fixed by whoever runs
-- the migrations): the runtime role can never drop recent audit rows.
CREATE FUNCTION credential_access_log_drop_partitions(cutoff timestamptz)
    RETURNS SETOF timestamptz
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET timezone = 'UTC' SET lock_timeout = '200ms' AS
$$
DECLARE
    part  record;
BEGIN
    IF cutoff > now() - interval '${audit_retention_floor}' THEN
        RAISE EXCEPTION 'audit rows are kept at least ${audit_retention_floor}';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('credential_access_log partitions'));
    FOR part IN
        SELECT c.oid::regclass AS relation,
               (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\) TO \(''([^'']+)''\)')) AS bounds
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'credential_access_log'::regclass
    LOOP
        CONTINUE WHEN part.bounds IS NULL OR part.bounds[2]::timestamptz > cutoff;
        EXECUTE format('INSERT INTO credential_access_log_cut (tenant_id, chain_id, chain_seq, row_hash, partition_start)
                        SELECT DISTINCT ON (tenant_id, chain_id) tenant_id, chain_id, chain_seq, row_hash, %L
                          FROM %s WHERE chain_id IS NOT NULL
                         ORDER BY tenant_id, chain_id, chain_seq DESC
                        ON CONFLICT DO NOTHING', part.bounds[1]::timestamptz, part.relation);
        EXECUTE format('ALTER TABLE credential_access_log DETACH PARTITION %s', part.relation);
        EXECUTE format('DROP TABLE %s', part.relation);
        RETURN NEXT part.bounds[1]::timestamptz;
    END LOOP;
END;
$$;

REVOKE ALL ON FUNCTION credential_access_log_add_partitions(timestamptz, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION credential_access_log_drop_partitions(timestamptz) FROM PUBLIC;

-- Every month that holds rows, and the next three.
SELECT credential_access_log_add_partitions(
    coalesce((SELECT min(accessed_at) FROM credential_access_log_v13), now()),
    greatest(coalesce((SELECT max(accessed_at) FROM credential_access_log_v13), now()), now()) + interval '3 months');

INSERT INTO credential_access_log (id, tenant_id, portal_id, secret_arn, access_type, access_by, ip_address, user_agent,
                                   success, error_message, accessed_at, unexpected_ip, failure_burst)
SELECT id, tenant_id, portal_id, secret_arn, access_type, access_by, ip_address, user_agent,
       success, error_message, accessed_at, unexpected_ip, failure_burst
  FROM credential_access_log_v13;

DROP TABLE credential_access_log_v13;

CREATE TRIGGER credential_access_log_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON credential_access_log
    FOR EACH STATEMENT EXECUTE FUNCTION credential_access_log_append_only();
