"""SQL for officers' calendar feeds: the hashed token of each user's subscription address."""
from __future__ import annotations

from datetime import datetime

import duckdb

from lib.db.connect import fetch_one
from lib.db.staff.users import USER_COLUMNS

# A feed is live while its user is active and still at the session version it was made at.
_LIVE = "u.active AND u.session_version = f.session_version"


def save_feed(cur: duckdb.DuckDBPyConnection, username: str, token_hash: str, session_version: int,
              language: str, now: datetime) -> None:
    """The user's one feed, replacing any earlier one (whose address then stops)."""
    cur.execute(
        "INSERT INTO calendar_feeds (username, token_hash, session_version, language, created_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (username) DO UPDATE SET token_hash = excluded.token_hash,"
        " session_version = excluded.session_version, language = excluded.language,"
        " created_at = excluded.created_at",
        [username, token_hash, session_version, language, now])


def delete_feed(cur: duckdb.DuckDBPyConnection, username: str) -> bool:
    """False if the user had no feed."""
    return fetch_one(cur, "DELETE FROM calendar_feeds WHERE username = ? RETURNING username", [username]) is not None


def live_feed_since(cur: duckdb.DuckDBPyConnection, username: str) -> datetime | None:
    """When the user's feed was made, if it still works."""
    row = fetch_one(cur, "SELECT f.created_at FROM calendar_feeds f JOIN users u ON u.username = f.username"
                         f" WHERE f.username = ? AND {_LIVE}", [username])
    return row[0] if row else None


def feed_owner(cur: duckdb.DuckDBPyConnection, token_hash: str) -> tuple | None:
    """(USER_COLUMNS..., language) of the live feed with this token hash."""
    columns = ", ".join(f"u.{c.strip()}" for c in USER_COLUMNS.split(","))
    return fetch_one(cur, f"SELECT {columns}, f.language FROM calendar_feeds f JOIN users u ON u.username = f.username"
                          f" WHERE f.token_hash = ? AND {_LIVE}", [token_hash])
