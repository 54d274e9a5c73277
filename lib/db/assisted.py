"""SQL of assisted filing (issue #15): operators' centres, the codes that confirm a filing, and the
complaints an operator filed (tracking number, date, status: nothing more)."""
from __future__ import annotations

from datetime import datetime

import duckdb

from lib.db.connect import fetch_one, fetch_value

# ---- operators ----


def operator_of(cur: duckdb.DuckDBPyConnection, username: str) -> tuple[str, bool, str | None] | None:
    """(role, active, centre) of an account, read in the filing's own transaction."""
    return fetch_one(cur, "SELECT role, active, centre FROM users WHERE username = ?", [username])


def centres(cur: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """username -> centre of every operator account (for the admin's list of users)."""
    return dict(cur.execute("SELECT username, centre FROM users WHERE centre IS NOT NULL").fetchall())


def set_centre(cur: duckdb.DuckDBPyConnection, username: str, centre: str | None) -> None:
    cur.execute("UPDATE users SET centre = ? WHERE username = ?", [centre, username])


# ---- codes that confirm a filing ----


def codes_since(cur: duckdb.DuckDBPyConnection, mobile: str, since: datetime) -> tuple[int, datetime | None]:
    """(how many, the oldest) confirmation codes sent to this mobile after `since`."""
    return fetch_one(cur, "SELECT count(*), min(created_at) FROM filing_codes WHERE mobile = ? AND created_at > ?",
                     [mobile, since])


def next_code_id(cur: duckdb.DuckDBPyConnection) -> int:
    return fetch_value(cur, "SELECT nextval('filing_code_seq')")


def add_code(cur: duckdb.DuckDBPyConnection, code_id: int, *, token: str, operator: str, mobile: str,
             form_digest: str, code_hash: str, created_at: datetime, expires_at: datetime) -> None:
    cur.execute("INSERT INTO filing_codes (id, submission_token, operator, mobile, form_digest, code_hash,"
                " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [code_id, token, operator, mobile, form_digest, code_hash, created_at, expires_at])


def latest_code(cur: duckdb.DuckDBPyConnection, token: str) -> tuple | None:
    """(id, code_hash, expires_at, wrong_tries, used_at, operator, form_digest) of the form's newest
    code: only it is accepted."""
    return fetch_one(cur, "SELECT id, code_hash, expires_at, wrong_tries, used_at, operator, form_digest"
                          " FROM filing_codes WHERE submission_token = ? ORDER BY id DESC LIMIT 1", [token])


def add_wrong_try(cur: duckdb.DuckDBPyConnection, code_id: int) -> int:
    return fetch_value(cur, "UPDATE filing_codes SET wrong_tries = wrong_tries + 1 WHERE id = ? RETURNING wrong_tries",
                       [code_id])


def use_code(cur: duckdb.DuckDBPyConnection, code_id: int, at: datetime) -> bool:
    """Spend the code; false if another request spent it first."""
    return fetch_one(cur, "UPDATE filing_codes SET used_at = ? WHERE id = ? AND used_at IS NULL RETURNING id",
                     [at, code_id]) is not None


# ---- what an operator filed ----


def filed_by(cur: duckdb.DuckDBPyConnection, username: str, limit: int) -> list[tuple[int, str, datetime, str]]:
    """(id, tracking number, filed at, status) of the operator's own filings, newest first."""
    return cur.execute("SELECT id, tracking_no, filed_at, status FROM complaints WHERE filed_by = ?"
                       " ORDER BY filed_at DESC, id DESC LIMIT ?", [username, limit]).fetchall()


def filed_by_count(cur: duckdb.DuckDBPyConnection, username: str) -> int:
    return fetch_value(cur, "SELECT count(*) FROM complaints WHERE filed_by = ?", [username])


def filer_of(cur: duckdb.DuckDBPyConnection, complaint_id: int) -> tuple[str | None, str | None] | None:
    """(filed_by, centre) of one complaint."""
    return fetch_one(cur, "SELECT filed_by, centre FROM complaints WHERE id = ?", [complaint_id])
