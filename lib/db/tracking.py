"""SQL of the track page's guard: failed look-ups per client and mobile, one-time codes, link expiry."""
from __future__ import annotations

from datetime import datetime

import duckdb

from lib.core.complaints import Status
from lib.db.connect import fetch_one, fetch_value

# ---- failed look-ups ----


def forget_failures_before(cur: duckdb.DuckDBPyConnection, cutoff: datetime) -> None:
    """Failures older than the window no longer count: they are dropped, so no lock is permanent."""
    cur.execute("DELETE FROM track_failures WHERE failed_at < ?", [cutoff])


def failures_since(cur: duckdb.DuckDBPyConnection, column: str, key: str | None,
                   since: datetime) -> tuple[int, datetime | None]:
    """(how many, the latest) failures of one client or one mobile since `since`."""
    if column not in ("client_key", "mobile_key"):
        raise ValueError(column)
    if key is None:
        return 0, None
    count, latest = fetch_one(
        cur, f"SELECT count(*), max(failed_at) FROM track_failures WHERE {column} = ? AND failed_at >= ?",
        [key, since])
    return count, latest


def add_failure(cur: duckdb.DuckDBPyConnection, client_key: str, mobile_key: str | None, at: datetime) -> None:
    cur.execute("INSERT INTO track_failures (failed_at, client_key, mobile_key) VALUES (?, ?, ?)",
                [at, client_key, mobile_key])


def forget_pair(cur: duckdb.DuckDBPyConnection, client_key: str, mobile_key: str) -> None:
    """A success clears the mistakes of this very client with this very mobile, nobody else's."""
    cur.execute("DELETE FROM track_failures WHERE client_key = ? AND mobile_key = ?", [client_key, mobile_key])


# ---- the complaint as the guard needs it ----


def status_of(cur: duckdb.DuckDBPyConnection, complaint_id: int) -> tuple[str, str] | None:
    """(tracking number, status) of one complaint."""
    return fetch_one(cur, "SELECT tracking_no, status FROM complaints WHERE id = ?", [complaint_id])


def find_by_tracking_no(cur: duckdb.DuckDBPyConnection, tracking_no: str) -> tuple[int, str] | None:
    """(id, status) of the complaint with this tracking number."""
    return fetch_one(cur, "SELECT id, status FROM complaints WHERE tracking_no = ?", [tracking_no])


def contact_of(cur: duckdb.DuckDBPyConnection, complaint_id: int) -> tuple[str, str, str] | None:
    """(tracking number, mobile, language) the complaint was filed with: where its SMS go."""
    return fetch_one(cur, "SELECT tracking_no, mobile, language FROM complaints WHERE id = ?", [complaint_id])


def closed_at(cur: duckdb.DuckDBPyConnection, complaint_id: int) -> datetime | None:
    """When the complaint was closed or rejected for good; None while it is still open (or reopened)."""
    final = (Status.CLOSED, Status.REJECTED)
    return fetch_value(
        cur,
        "SELECT max(e.happened_at) FROM complaints c JOIN complaint_events e ON e.complaint_id = c.id"
        " WHERE c.id = ? AND c.status IN (?, ?) AND e.to_status = c.status",
        [complaint_id, *final])


# ---- one-time codes ----


def codes_since(cur: duckdb.DuckDBPyConnection, complaint_id: int, since: datetime) -> tuple[int, datetime | None]:
    """(how many, the oldest) codes sent for the complaint after `since`."""
    count, oldest = fetch_one(cur, "SELECT count(*), min(created_at) FROM track_codes"
                                   " WHERE complaint_id = ? AND created_at > ?", [complaint_id, since])
    return count, oldest


def next_code_id(cur: duckdb.DuckDBPyConnection) -> int:
    return fetch_value(cur, "SELECT nextval('track_code_seq')")


def add_code(cur: duckdb.DuckDBPyConnection, code_id: int, complaint_id: int, code_hash: str,
             created_at: datetime, expires_at: datetime) -> None:
    cur.execute("INSERT INTO track_codes (id, complaint_id, code_hash, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?)", [code_id, complaint_id, code_hash, created_at, expires_at])


def latest_code(cur: duckdb.DuckDBPyConnection, complaint_id: int) -> tuple | None:
    """(id, code_hash, expires_at, wrong_tries, used_at) of the newest code: only it is accepted."""
    return fetch_one(cur, "SELECT id, code_hash, expires_at, wrong_tries, used_at FROM track_codes"
                          " WHERE complaint_id = ? ORDER BY id DESC LIMIT 1", [complaint_id])


def add_wrong_try(cur: duckdb.DuckDBPyConnection, code_id: int) -> int:
    return fetch_value(cur, "UPDATE track_codes SET wrong_tries = wrong_tries + 1 WHERE id = ?"
                            " RETURNING wrong_tries", [code_id])


def use_code(cur: duckdb.DuckDBPyConnection, code_id: int, at: datetime) -> bool:
    """Spend the code; false if another request spent it first."""
    return fetch_one(cur, "UPDATE track_codes SET used_at = ? WHERE id = ? AND used_at IS NULL RETURNING id",
                     [at, code_id]) is not None
