-- A keyed write that reached the secret store but whose outcome is not settled (its database
-- record failed, or a rotation's promotion could not be confirmed) keeps its key with the
-- version it wrote; a retry settles that version with the store instead of writing again.
ALTER TABLE idempotency_record ADD COLUMN unsettled_version text;

COMMENT ON COLUMN idempotency_record.unsettled_version IS
    'secret store version id written by a request whose outcome is not settled; NULL otherwise';
