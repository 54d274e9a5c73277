-- Schema version 3: officers' sign-in, the complaint's lifecycle (directions, action taken
-- reports, forwards, feedback), deadlines, saved views and the audit trail.

CREATE TABLE IF NOT EXISTS users (
    username        VARCHAR PRIMARY KEY,
    display_name    VARCHAR NOT NULL,
    role            VARCHAR NOT NULL CHECK (role IN ('dc', 'officer', 'analyst', 'admin')),
    department_code VARCHAR,                 -- the one department an officer works for
    password_hash   VARCHAR NOT NULL,        -- bcrypt
    active          BOOLEAN NOT NULL DEFAULT true,
    created_at      TIMESTAMPTZ NOT NULL,
    CHECK ((role = 'officer') = (department_code IS NOT NULL))
);

-- Failed sign-ins, counted per username and client over a sliding window (never a permanent lockout).
CREATE TABLE IF NOT EXISTS login_failures (
    attempt_key VARCHAR NOT NULL,            -- username|client address
    failed_at   TIMESTAMPTZ NOT NULL
);

-- Sign-in cookies revoked by logout: (username, the token's expiry) never works again.
CREATE TABLE IF NOT EXISTS revoked_tokens (
    username   VARCHAR NOT NULL,
    expires    DOUBLE PRECISION NOT NULL,    -- the cookie JWT's exp_date (unix seconds); both engines read DOUBLE PRECISION
    revoked_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (username, expires)
);

-- Lifecycle columns. department_code (from version 1) is where the complaint is now; the
-- citizen's own pick stays in the 'filed' event.
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS transfers INTEGER DEFAULT 0;   -- forwards so far (at most 3 but by the DC)
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS rejection_reason VARCHAR;
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS accepted_at TIMESTAMPTZ;
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS resolved_at TIMESTAMPTZ;
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS updated_by VARCHAR;

-- What the DC ordered at or after a hearing: one department, one instruction, one date.
CREATE SEQUENCE IF NOT EXISTS direction_seq START 1;
CREATE TABLE IF NOT EXISTS directions (
    id              BIGINT PRIMARY KEY,
    complaint_id    BIGINT NOT NULL,
    department_code VARCHAR NOT NULL,
    instruction     VARCHAR NOT NULL,
    report_by       DATE NOT NULL,
    given_by        VARCHAR NOT NULL,
    given_at        TIMESTAMPTZ NOT NULL,
    reported_at     TIMESTAMPTZ              -- set when the department files its report
);

-- Action taken reports filed by a department officer.
CREATE SEQUENCE IF NOT EXISTS report_seq START 1;
CREATE TABLE IF NOT EXISTS action_reports (
    id              BIGINT PRIMARY KEY,
    complaint_id    BIGINT NOT NULL,
    department_code VARCHAR NOT NULL,
    report          VARCHAR NOT NULL,
    document_id     BIGINT,                  -- optional attachment (documents.kind = 'atr')
    filed_by        VARCHAR NOT NULL,
    filed_at        TIMESTAMPTZ NOT NULL
);

-- The citizen's word after resolution.
CREATE TABLE IF NOT EXISTS feedback (
    complaint_id BIGINT NOT NULL,
    answer       VARCHAR NOT NULL CHECK (answer IN ('solved', 'partly', 'not_solved')),
    given_at     TIMESTAMPTZ NOT NULL
);

-- Named filter sets an officer keeps ("new today", "overdue with PWD").
CREATE SEQUENCE IF NOT EXISTS saved_view_seq START 1;
CREATE TABLE IF NOT EXISTS saved_views (
    id         BIGINT PRIMARY KEY,
    username   VARCHAR NOT NULL,
    name       VARCHAR NOT NULL,
    filters    VARCHAR NOT NULL,             -- JSON of the queue's filters
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (username, name)
);

-- Local holidays the admin adds on top of the holidays package's Haryana list.
CREATE TABLE IF NOT EXISTS holidays (
    day      DATE PRIMARY KEY,
    name     VARCHAR NOT NULL,
    added_by VARCHAR NOT NULL
);

-- Who did what, append-only: officers' actions, admin changes, every opening of an ID document.
CREATE SEQUENCE IF NOT EXISTS audit_seq START 1;
CREATE TABLE IF NOT EXISTS audit_log (
    id          BIGINT PRIMARY KEY,
    happened_at TIMESTAMPTZ NOT NULL,
    actor       VARCHAR NOT NULL,
    action      VARCHAR NOT NULL,
    target      VARCHAR,
    detail      VARCHAR
);
