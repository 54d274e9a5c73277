"""SQL for the public form's filing limits: attempts per client address, complaints per mobile."""
from __future__ import annotations

from datetime import datetime

import duckdb

from lib.db.connect import fetch_one


def attempts_since(cur: duckdb.DuckDBPyConnection, client: str, since: datetime) -> tuple[int, datetime | None]:
    """(how many, the oldest) filings this client address attempted since `since`."""
    return fetch_one(cur, "SELECT count(*), min(attempted_at) FROM filing_attempts"
                          " WHERE client = ? AND attempted_at >= ?", [client, since])


def filings_since(cur: duckdb.DuckDBPyConnection, mobile: str, since: datetime) -> int:
    return fetch_one(cur, "SELECT count(*) FROM complaints WHERE mobile = ? AND filed_at >= ?",
                     [mobile, since])[0]


def record_attempt(cur: duckdb.DuckDBPyConnection, client: str, at: datetime, prune_before: datetime) -> None:
    cur.execute("DELETE FROM filing_attempts WHERE attempted_at < ?", [prune_before])
    cur.execute("INSERT INTO filing_attempts (client, attempted_at) VALUES (?, ?)", [client, at])
