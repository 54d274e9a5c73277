-- Schema version 7: the track page's guard (issue #10). Failed look-ups are counted here, not in a
-- browser session, so a reload or a restart does not forget them; one-time codes let the citizen
-- see the details of their complaint after proving the mobile by SMS.

-- One row per failed look-up. The client address and the mobile are kept only as keyed hashes:
-- the table counts, it does not remember who asked. Rows older than the window are pruned.
CREATE TABLE IF NOT EXISTS track_failures (
    failed_at   TIMESTAMPTZ NOT NULL,
    client_key  VARCHAR NOT NULL,
    mobile_key  VARCHAR                  -- NULL when no valid mobile was given (or a signed link)
);

-- One-time codes sent by SMS. Only a keyed hash of the code is stored; a code is good for one
-- success, a few minutes and a few tries.
CREATE SEQUENCE IF NOT EXISTS track_code_seq START 1;
CREATE TABLE IF NOT EXISTS track_codes (
    id            BIGINT PRIMARY KEY,
    complaint_id  BIGINT NOT NULL,
    code_hash     VARCHAR NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    wrong_tries   INTEGER NOT NULL DEFAULT 0 CHECK (wrong_tries >= 0),
    used_at       TIMESTAMPTZ,
    CHECK (expires_at > created_at)
);
