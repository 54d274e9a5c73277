-- Appeals (issue #15): a citizen who answered "not solved" asks the appellate officer (the ADC) to look
-- again at the disposal. One appeal per complaint (the UNIQUE below, besides the check in
-- lib/casework/appeals.py). `reason` is the citizen's own words, Aadhaar numbers masked, shown only
-- to the appellate officer; the decision's directions are a row of `directions` like the DC's.
-- (Written as 014 on the appeal branch; the merge numbers it after the other branches' migrations.)

-- The appellate officer's accounts: role `appellate`. The users table is rebuilt because its role
-- CHECK lists the roles and DuckDB cannot alter a constraint; the rows are copied as they are.
-- MERGE NOTE: the assisted-filing migration rebuilds this table too (role `operator`, column
-- `centre`); the later rebuild must list every role and keep every column of the earlier one.
CREATE TABLE users_rebuilt (
    username        VARCHAR PRIMARY KEY,
    display_name    VARCHAR NOT NULL,
    role            VARCHAR NOT NULL CHECK (role IN ('dc', 'officer', 'analyst', 'admin', 'appellate')),
    department_code VARCHAR,                 -- the one department an officer works for
    password_hash   VARCHAR NOT NULL,        -- bcrypt
    active          BOOLEAN NOT NULL DEFAULT true,
    created_at      TIMESTAMPTZ NOT NULL,
    session_version INTEGER NOT NULL DEFAULT 1,
    CHECK ((role = 'officer') = (department_code IS NOT NULL))
);
INSERT INTO users_rebuilt (username, display_name, role, department_code, password_hash, active, created_at,
                           session_version)
SELECT username, display_name, role, department_code, password_hash, active, created_at, session_version FROM users;
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
