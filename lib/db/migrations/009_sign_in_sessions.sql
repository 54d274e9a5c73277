-- Schema version 9: sign-ins an admin's change ends at once, failed sign-ins counted per username,
-- and the clients each user has signed in from.

-- Raised by every change of password, role, department or active state: a session (and its
-- cookie) carries the version it began with and ends when the row's version moves on.
ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 1;

-- The username alone, so failures can also be counted across all clients (rows from before this
-- version have none; they leave the 15-minute window soon enough).
ALTER TABLE login_failures ADD COLUMN username VARCHAR;

-- Where each user last signed in successfully: such a client is not slowed down by failures for
-- that username elsewhere, so a stranger cannot keep the DC out of their own desk.
CREATE TABLE IF NOT EXISTS sign_in_clients (
    username        VARCHAR NOT NULL,
    client          VARCHAR NOT NULL,
    last_success_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (username, client)
);
