-- Appeals (issue #15): a citizen who answered "not solved" asks the appellate officer (the ADC) to look
-- again at the disposal. One appeal per complaint (the UNIQUE below, besides the check in
-- lib/casework/appeals.py). `reason` is the citizen's own words, Aadhaar numbers masked, shown only
-- to the appellate officer; the decision's directions are a row of `directions` like the DC's.

-- The appellate officer's accounts: role `appellate`. The users table is rebuilt because its role
-- CHECK lists the roles and DuckDB cannot alter a constraint; the rows are copied as they are, with
-- every column added since 003 (015's mobile and head_of, 016's centre) and 016's operator rule.
CREATE TABLE users_rebuilt (
    username        VARCHAR PRIMARY KEY,
    display_name    VARCHAR NOT NULL,
    role            VARCHAR NOT NULL CHECK (role IN ('dc', 'officer', 'analyst', 'admin', 'operator', 'appellate')),
    department_code VARCHAR,                 -- the one department an officer works for
    password_hash   VARCHAR NOT NULL,        -- bcrypt
    active          BOOLEAN NOT NULL DEFAULT true,
    created_at      TIMESTAMPTZ NOT NULL,
    session_version INTEGER NOT NULL DEFAULT 1,
    mobile          VARCHAR,                 -- 015: for the escalation SMS
    head_of         VARCHAR,                 -- 015: the department an officer heads
    centre          VARCHAR,                 -- 016: the one centre an operator files at
    CHECK ((role = 'officer') = (department_code IS NOT NULL)),
    CHECK ((role = 'operator') = (centre IS NOT NULL))
);
INSERT INTO users_rebuilt (username, display_name, role, department_code, password_hash, active, created_at,
                           session_version, mobile, head_of, centre)
SELECT username, display_name, role, department_code, password_hash, active, created_at, session_version,
       mobile, head_of, centre FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;

CREATE SEQUENCE appeal_seq START 1;
CREATE TABLE appeals (
    id           BIGINT PRIMARY KEY,
    complaint_id BIGINT NOT NULL UNIQUE,
    filed_at     TIMESTAMPTZ NOT NULL,
    reason       VARCHAR NOT NULL,
    status       VARCHAR NOT NULL CHECK (status IN ('pending', 'sent_back', 'upheld')),
    decided_by   VARCHAR,
    decided_at   TIMESTAMPTZ
);
