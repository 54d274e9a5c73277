-- Schema version 1: reference data, complaints, their history, documents and the SMS outbox.
-- Every enum here mirrors a StrEnum in lib (a test checks they agree).

CREATE TABLE IF NOT EXISTS tehsils (
    lgd_code    INTEGER PRIMARY KEY,
    name_en     VARCHAR NOT NULL,
    name_hi     VARCHAR,
    level       VARCHAR NOT NULL CHECK (level IN ('tehsil', 'sub-tehsil'))
);

-- Villages and towns of the district (LGD codes). Towns carry their ward count.
CREATE TABLE IF NOT EXISTS places (
    lgd_code        INTEGER PRIMARY KEY,
    tehsil_lgd      INTEGER NOT NULL,
    kind            VARCHAR NOT NULL CHECK (kind IN ('village', 'town')),
    name_en         VARCHAR NOT NULL,
    name_hi         VARCHAR,
    wards           INTEGER CHECK (wards IS NULL OR wards > 0),
    census2011_code VARCHAR,
    hadbast_no      VARCHAR
);

CREATE TABLE IF NOT EXISTS departments (
    code             VARCHAR PRIMARY KEY,
    name_en          VARCHAR NOT NULL,
    name_hi          VARCHAR NOT NULL,
    officer_title_en VARCHAR,
    officer_title_hi VARCHAR,
    active           BOOLEAN NOT NULL DEFAULT true
);

CREATE TABLE IF NOT EXISTS categories (
    code            VARCHAR PRIMARY KEY,
    name_en         VARCHAR NOT NULL,
    name_hi         VARCHAR NOT NULL,
    department_code VARCHAR           -- the usual department, a hint for the form
);

-- Complaint ids come from a sequence so concurrent filings never collide; the
-- tracking number is derived from the id and the filing year, so it is never reused.
CREATE SEQUENCE IF NOT EXISTS complaint_seq START 1;
CREATE SEQUENCE IF NOT EXISTS event_seq START 1;
CREATE SEQUENCE IF NOT EXISTS sms_seq START 1;
CREATE SEQUENCE IF NOT EXISTS document_seq START 1;

CREATE TABLE IF NOT EXISTS complaints (
    id              BIGINT PRIMARY KEY,
    tracking_no     VARCHAR NOT NULL UNIQUE,
    filed_at        TIMESTAMPTZ NOT NULL,
    language        VARCHAR NOT NULL CHECK (language IN ('hi', 'en')),
    citizen_name    VARCHAR NOT NULL,
    mobile          VARCHAR NOT NULL,          -- E.164, +91XXXXXXXXXX
    email           VARCHAR,
    id_type         VARCHAR NOT NULL CHECK (id_type IN ('aadhaar', 'ppp')),
    aadhaar_last4   VARCHAR CHECK (aadhaar_last4 IS NULL OR length(aadhaar_last4) = 4),
    aadhaar_hmac    VARCHAR,                   -- keyed hash; the full number is never stored
    ppp_id          VARCHAR,
    tehsil_lgd      INTEGER NOT NULL,
    place_lgd       INTEGER NOT NULL,
    ward            INTEGER CHECK (ward IS NULL OR ward > 0),
    locality        VARCHAR,
    department_code VARCHAR,                   -- NULL: the citizen was not sure
    category_code   VARCHAR NOT NULL,
    subject         VARCHAR NOT NULL,
    description     VARCHAR NOT NULL,
    hearing_mode    VARCHAR NOT NULL CHECK (hearing_mode IN ('video', 'in_person')),
    preferred_dates DATE[],
    consent_at      TIMESTAMPTZ NOT NULL,
    status          VARCHAR NOT NULL CHECK (status IN (
                        'submitted', 'under_scrutiny', 'accepted', 'rejected',
                        'hearing_scheduled', 'heard', 'with_department',
                        'action_reported', 'resolved', 'closed')),
    version         INTEGER NOT NULL DEFAULT 0,
    updated_at      TIMESTAMPTZ NOT NULL,
    CHECK ((id_type = 'aadhaar' AND aadhaar_hmac IS NOT NULL AND aadhaar_last4 IS NOT NULL)
        OR (id_type = 'ppp' AND ppp_id IS NOT NULL))
);

-- Append-only history; complaints.status is its latest word.
CREATE TABLE IF NOT EXISTS complaint_events (
    id           BIGINT PRIMARY KEY,
    complaint_id BIGINT NOT NULL,
    happened_at  TIMESTAMPTZ NOT NULL,
    actor        VARCHAR NOT NULL,             -- 'citizen', 'system' or a username
    event        VARCHAR NOT NULL,
    from_status  VARCHAR,
    to_status    VARCHAR,
    remark       VARCHAR,
    public       BOOLEAN NOT NULL DEFAULT true  -- shown on the citizen's track page
);

-- Uploaded files: stored encrypted under a random name; the citizen's filename is never a path.
CREATE TABLE IF NOT EXISTS documents (
    id           BIGINT PRIMARY KEY,
    complaint_id BIGINT NOT NULL,
    kind         VARCHAR NOT NULL CHECK (kind IN ('id_proof', 'photo', 'atr')),
    stored_name  VARCHAR NOT NULL UNIQUE,
    content_type VARCHAR NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
    size_bytes   INTEGER NOT NULL,
    sha256       VARCHAR NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);

-- Every SMS is written here in the transaction that causes it; a dispatcher sends it later.
CREATE TABLE IF NOT EXISTS sms_outbox (
    id              BIGINT PRIMARY KEY,
    complaint_id    BIGINT,
    mobile          VARCHAR NOT NULL,
    language        VARCHAR NOT NULL CHECK (language IN ('hi', 'en')),
    template        VARCHAR NOT NULL,
    dlt_template_id VARCHAR NOT NULL,
    body            VARCHAR NOT NULL,
    status          VARCHAR NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    idempotency_key VARCHAR NOT NULL UNIQUE,
    created_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ,
    last_error      VARCHAR
);

CREATE TABLE IF NOT EXISTS settings (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
