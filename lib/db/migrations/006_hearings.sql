-- Schema version 6: hearings. The office rules of each hearing officer (edited by the admin), their
-- dates away with a substitute, the booked hearings with their video rooms, and the claims table
-- that makes double booking impossible. Times are TIMESTAMPTZ; rules are Asia/Kolkata wall times.

-- Who holds hearings (the DC, department heads) and when. Weekdays: Monday = 0 ... Sunday = 6.
CREATE TABLE IF NOT EXISTS hearing_officers (
    username        VARCHAR PRIMARY KEY,     -- users.username
    title_en        VARCHAR NOT NULL,        -- how the citizen's SMS names the officer
    title_hi        VARCHAR NOT NULL,
    working_days    INTEGER[] NOT NULL,
    no_meeting_days INTEGER[] NOT NULL,      -- working days without hearings (Tuesday by default)
    windows         VARCHAR[] NOT NULL,      -- hearing windows, 'HH:MM-HH:MM'
    kept_free       VARCHAR[] NOT NULL,      -- never booked, even inside a window (public hours)
    slot_minutes    INTEGER NOT NULL CHECK (slot_minutes BETWEEN 5 AND 60),
    active          BOOLEAN NOT NULL DEFAULT true,
    updated_by      VARCHAR NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);

-- Dates an officer is away; their hearings on those days go to the substitute, if one is named.
CREATE SEQUENCE IF NOT EXISTS absence_seq START 1;
CREATE TABLE IF NOT EXISTS hearing_absences (
    id          BIGINT PRIMARY KEY,
    username    VARCHAR NOT NULL,
    first_day   DATE NOT NULL,
    last_day    DATE NOT NULL,
    substitute  VARCHAR,
    reason      VARCHAR,
    added_by    VARCHAR NOT NULL,
    added_at    TIMESTAMPTZ NOT NULL,
    CHECK (first_day <= last_day),
    CHECK (substitute IS NULL OR substitute <> username)
);

-- One row per booking. A reschedule closes the old row ('rescheduled') and books a new one that
-- names it in `replaces`, so the history of a complaint's hearings is never overwritten.
CREATE SEQUENCE IF NOT EXISTS hearing_seq START 1;
CREATE TABLE IF NOT EXISTS hearings (
    id              BIGINT PRIMARY KEY,
    complaint_id    BIGINT NOT NULL,
    officer         VARCHAR NOT NULL,        -- who holds the hearing
    standing_in_for VARCHAR,                 -- the officer away that day, when a substitute holds it
    starts_at       TIMESTAMPTZ NOT NULL,
    ends_at         TIMESTAMPTZ NOT NULL,
    room            VARCHAR NOT NULL UNIQUE, -- random video room name (never derived from the complaint)
    join_url        VARCHAR NOT NULL,        -- the link as the citizen's SMS gave it
    status          VARCHAR NOT NULL CHECK (status IN ('booked', 'attended', 'no_show', 'cancelled', 'rescheduled')),
    booked_by       VARCHAR NOT NULL,
    booked_at       TIMESTAMPTZ NOT NULL,
    replaces        BIGINT,
    reason          VARCHAR,                 -- why it was cancelled or moved (internal)
    closed_by       VARCHAR,
    closed_at       TIMESTAMPTZ,
    CHECK (ends_at > starts_at)
);

-- The slot an active booking holds. DuckDB has no partial unique index, so instead of a unique key
-- on hearings (which keeps cancelled rows) the claim is its own row: deleted in the transaction
-- that cancels or moves the booking, and the primary key refuses a second booking of the slot.
CREATE TABLE IF NOT EXISTS hearing_slot_claims (
    officer    VARCHAR NOT NULL,
    starts_at  TIMESTAMPTZ NOT NULL,
    hearing_id BIGINT NOT NULL UNIQUE,
    PRIMARY KEY (officer, starts_at)
);
