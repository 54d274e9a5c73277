-- Schema version 22: the citizen's identity as two numbers on the complaint row, so that the
-- likely-duplicate hints (lib/db/casework/duplicates.py) compare integers instead of strings.
-- At ten million complaints the hints of the queue's page read the ~1.5 million complaints of
-- their 90-day window, and comparing each one's Aadhaar hash, Family ID and mobile as strings was
-- most of the queue's time (0.26 s of 0.4 s, 1 December 2026).
--
-- id_key: the ID document (the Aadhaar hash, or the Family ID); mobile_key: the mobile. Each is the
-- first 15 hex digits of the MD5 of the text, as a number (lib/db/identity_keys.py computes the same
-- in Python for each filing; PostgreSQL's twin file spells it its way). A key only narrows the search:
-- two different values may share one, so the real columns are compared for every pair it finds.
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS id_key BIGINT;
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS mobile_key BIGINT;
UPDATE complaints SET
    id_key = ('0x' || substr(md5(coalesce(aadhaar_hmac, ppp_id)), 1, 15))::BIGINT,
    mobile_key = ('0x' || substr(md5(mobile), 1, 15))::BIGINT
WHERE id_key IS NULL;
