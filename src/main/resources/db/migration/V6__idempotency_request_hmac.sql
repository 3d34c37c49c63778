-- Request fingerprints become hex(HMAC-SHA256(rcm.idempotency.key, canonical request)). The key
-- is server-side configuration and never in the database, so that someone who can read the
-- database cannot test guessed portal passwords against a fingerprint, as they could against
-- the salted SHA-256 that was stored so far (its salt stored beside it). The column is unchanged.
--
-- The records written so far can never match again; they are deleted now rather than left
-- readable until they expire. A retry of such a request runs again, as after the TTL.
-- (Numbered 6: version 5 was left to another change developed at the same time.)
DELETE FROM idempotency_record WHERE request_hash LIKE '%:%';

COMMENT ON COLUMN idempotency_record.request_hash IS
    'hex(HMAC-SHA256(rcm.idempotency.key, canonical request)); the key is never in the database';
