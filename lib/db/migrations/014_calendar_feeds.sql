-- Calendar feeds (issue #15): each officer's secret address for their hearings in a calendar app,
-- /api/ical/<token>.ics. One per user; making a new one replaces the row, so the old address stops.
--
-- Only the token's SHA-256 is stored (the token is shown once, when it is made). The user's session
-- version at that moment is kept beside it: a password reset, a change of role or department, or a
-- deactivation raises the user's version and the feed stops with their sign-ins. The language is the
-- one the officer used when subscribing: the feed speaks it.
CREATE TABLE calendar_feeds (
    username        VARCHAR PRIMARY KEY,
    token_hash      VARCHAR NOT NULL,
    session_version INTEGER NOT NULL,
    language        VARCHAR NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
