-- Schema version 22 on PostgreSQL: as 022_identity_keys.sql (the reasons are there), with the same
-- numbers spelled PostgreSQL's way, and an index on each, so that the complaints of one citizen are
-- found from the index rather than by reading the window's rows.
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS id_key BIGINT;
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS mobile_key BIGINT;
UPDATE complaints SET
    id_key = ('x' || '0' || substr(md5(coalesce(aadhaar_hmac, ppp_id)), 1, 15))::BIT(64)::BIGINT,
    mobile_key = ('x' || '0' || substr(md5(mobile), 1, 15))::BIT(64)::BIGINT
WHERE id_key IS NULL;
CREATE INDEX IF NOT EXISTS complaints_id_key ON complaints (id_key, filed_at);
CREATE INDEX IF NOT EXISTS complaints_mobile_key ON complaints (mobile_key, filed_at);
