-- Assisted filing at a Common Service Centre or Antyodaya SARAL Kendra (issue #15).
--
-- An `operator` account belongs to one centre (its name, as the IT cell types it). The users table
-- is rebuilt because its role CHECK lists the roles and neither engine can widen a CHECK in place
-- the same way (DuckDB cannot alter a constraint at all); the rows are copied as they are, with every column
-- added since (015's mobile and head_of).
CREATE TABLE users_rebuilt (
    username        VARCHAR PRIMARY KEY,
    display_name    VARCHAR NOT NULL,
    role            VARCHAR NOT NULL CHECK (role IN ('dc', 'officer', 'analyst', 'admin', 'operator')),
    department_code VARCHAR,                 -- the one department an officer works for
    password_hash   VARCHAR NOT NULL,        -- bcrypt
    active          BOOLEAN NOT NULL DEFAULT true,
    created_at      TIMESTAMPTZ NOT NULL,
    session_version INTEGER NOT NULL DEFAULT 1,
    mobile          VARCHAR,                 -- 015: for the escalation SMS
    head_of         VARCHAR,                 -- 015: the department an officer heads
    centre          VARCHAR,                 -- the one centre an operator files at
    CHECK ((role = 'officer') = (department_code IS NOT NULL)),
    CHECK ((role = 'operator') = (centre IS NOT NULL))
);
INSERT INTO users_rebuilt (username, display_name, role, department_code, password_hash, active, created_at,
                           session_version, mobile, head_of)
SELECT username, display_name, role, department_code, password_hash, active, created_at, session_version,
       mobile, head_of FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;

-- Who filed a complaint for the citizen, and where (NULL: the citizen filed it themself). Its
-- channel is then 'csc:<centre>'.
ALTER TABLE complaints ADD COLUMN filed_by VARCHAR;
ALTER TABLE complaints ADD COLUMN centre VARCHAR;

-- One-time codes that confirm an assisted filing: sent by SMS to the citizen's own mobile before
-- anything is filed. A code belongs to one form (its submission token), one operator and the
-- digest of exactly what the form said when the code was sent; only a keyed hash of it is kept.
CREATE SEQUENCE filing_code_seq START 1;
CREATE TABLE filing_codes (
    id               BIGINT PRIMARY KEY,
    submission_token VARCHAR NOT NULL,
    operator         VARCHAR NOT NULL,
    mobile           VARCHAR NOT NULL,
    form_digest      VARCHAR NOT NULL,
    code_hash        VARCHAR NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    expires_at       TIMESTAMPTZ NOT NULL,
    wrong_tries      INTEGER NOT NULL DEFAULT 0 CHECK (wrong_tries >= 0),
    used_at          TIMESTAMPTZ,
    CHECK (expires_at > created_at)
);
