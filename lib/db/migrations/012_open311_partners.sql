-- Open311 GeoReport v2 API (issue #15): partner systems, their calls, and each complaint's channel.
--
-- A partner system (CM Window, a CSC operator's system) files complaints with an api_key. Only the
-- key's SHA-256 is stored (the key itself is shown once, when the IT cell creates it); a revoked key
-- keeps its row so that the complaints it filed still name their partner.
CREATE SEQUENCE partner_seq START 1;
CREATE TABLE partners (
    id          BIGINT PRIMARY KEY,
    name        VARCHAR NOT NULL UNIQUE,        -- short code, e.g. cm_window: the channel is api:<name>
    key_hash    VARCHAR NOT NULL UNIQUE,        -- sha256 hex of the key
    key_prefix  VARCHAR NOT NULL,               -- the key's first characters, to tell keys apart
    created_at  TIMESTAMPTZ NOT NULL,
    created_by  VARCHAR NOT NULL,
    revoked_at  TIMESTAMPTZ,
    revoked_by  VARCHAR
);

-- Calls per rate-limit bucket (a partner's key, or a client address for calls without a key) in the
-- last minutes; older rows are pruned as new ones arrive.
CREATE TABLE api_calls (
    bucket    VARCHAR NOT NULL,
    called_at TIMESTAMPTZ NOT NULL
);

-- How the complaint arrived: 'web' (the public form) or 'api:<partner>'.
ALTER TABLE complaints ADD COLUMN channel VARCHAR DEFAULT 'web';
