"""SQL for the Open311 API: partner systems and their hashed keys, calls per rate-limit bucket, and
the public face of complaints (status, agency, timestamps: never personal data)."""
from __future__ import annotations

from datetime import datetime

import duckdb

from lib.db.connect import fetch_one, fetch_value

# What GET requests.json may show of a complaint: no name, mobile, ID, address, subject or description.
PUBLIC_REQUEST_COLUMNS = (
    "c.id, c.tracking_no, c.status, c.category_code, cat.name_en, c.department_code, d.name_en,"
    " c.filed_at, c.updated_at, c.channel")
_PUBLIC_FROM = (" FROM complaints c LEFT JOIN categories cat ON cat.code = c.category_code"
                " LEFT JOIN departments d ON d.code = c.department_code")


# ---- partners ----

def add_partner(cur: duckdb.DuckDBPyConnection, name: str, key_hash: str, key_prefix: str,
                created_at: datetime, created_by: str) -> int:
    return fetch_value(cur, "INSERT INTO partners (id, name, key_hash, key_prefix, created_at, created_by)"
                            " VALUES (nextval('partner_seq'), ?, ?, ?, ?, ?) RETURNING id",
                       [name, key_hash, key_prefix, created_at, created_by])


def partner_named(cur: duckdb.DuckDBPyConnection, name: str) -> tuple | None:
    return fetch_one(cur, "SELECT id, name, revoked_at FROM partners WHERE name = ?", [name])


def partner_by_key_hash(cur: duckdb.DuckDBPyConnection, key_hash: str) -> tuple | None:
    """(id, name, revoked_at) of the partner holding this key."""
    return fetch_one(cur, "SELECT id, name, revoked_at FROM partners WHERE key_hash = ?", [key_hash])


def list_partners(cur: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(id, name, key_prefix, created_at, created_by, revoked_at, revoked_by, complaints filed)."""
    return cur.execute(
        "SELECT p.id, p.name, p.key_prefix, p.created_at, p.created_by, p.revoked_at, p.revoked_by,"
        " (SELECT count(*) FROM complaints c WHERE c.channel = 'api:' || p.name)"
        " FROM partners p ORDER BY p.id").fetchall()


def revoke_partner(cur: duckdb.DuckDBPyConnection, partner_id: int, at: datetime, by: str) -> bool:
    """False if there is no such partner or it was revoked already."""
    return fetch_one(cur, "UPDATE partners SET revoked_at = ?, revoked_by = ? WHERE id = ?"
                          " AND revoked_at IS NULL RETURNING id", [at, by, partner_id]) is not None


# ---- rate limit ----

def count_calls(cur: duckdb.DuckDBPyConnection, bucket: str, since: datetime) -> tuple[int, datetime | None]:
    """(how many, the oldest) calls of this bucket since `since`."""
    return fetch_one(cur, "SELECT count(*), min(called_at) FROM api_calls WHERE bucket = ? AND called_at >= ?",
                     [bucket, since])


def add_call(cur: duckdb.DuckDBPyConnection, bucket: str, at: datetime, prune_before: datetime) -> None:
    cur.execute("DELETE FROM api_calls WHERE called_at < ?", [prune_before])
    cur.execute("INSERT INTO api_calls (bucket, called_at) VALUES (?, ?)", [bucket, at])


# ---- complaints as the API shows them ----

def public_requests(cur: duckdb.DuckDBPyConnection, *, tracking_nos: list[str] | None = None,
                    channel: str | None = None, category_codes: list[str] | None = None,
                    statuses: list[str] | None = None, start: datetime | None = None,
                    end: datetime | None = None, limit: int = 1000) -> list[tuple]:
    """PUBLIC_REQUEST_COLUMNS of the complaints matching every filter given, newest first."""
    where, params = ["true"], []
    if tracking_nos is not None:
        where.append("c.tracking_no IN (SELECT unnest(?::VARCHAR[]))")
        params.append(tracking_nos)
    if channel is not None:
        where.append("c.channel = ?")
        params.append(channel)
    if category_codes:
        where.append("c.category_code IN (SELECT unnest(?::VARCHAR[]))")
        params.append(category_codes)
    if statuses:
        where.append("c.status IN (SELECT unnest(?::VARCHAR[]))")
        params.append(statuses)
    if start is not None:
        where.append("c.filed_at >= ?")
        params.append(start)
    if end is not None:
        where.append("c.filed_at <= ?")
        params.append(end)
    return cur.execute(f"SELECT {PUBLIC_REQUEST_COLUMNS}{_PUBLIC_FROM} WHERE {' AND '.join(where)}"
                       " ORDER BY c.id DESC LIMIT ?", [*params, limit]).fetchall()


def latest_public_event(cur: duckdb.DuckDBPyConnection, complaint_id: int) -> tuple | None:
    """(event, to_status, happened_at) of the newest public history entry (never its remark)."""
    return fetch_one(cur, "SELECT event, to_status, happened_at FROM complaint_events"
                          " WHERE complaint_id = ? AND public ORDER BY happened_at DESC, id DESC LIMIT 1",
                     [complaint_id])


def count_complaints_by_channel(cur: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    return cur.execute("SELECT coalesce(channel, 'web'), count(*) FROM complaints GROUP BY 1 ORDER BY 1").fetchall()
