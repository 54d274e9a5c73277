"""SQL for the settings table: small named values the portal keeps in its own database."""
from __future__ import annotations

import duckdb

from lib.db.connect import fetch_value


def get(cur: duckdb.DuckDBPyConnection, key: str) -> str | None:
    return fetch_value(cur, "SELECT value FROM settings WHERE key = ?", [key])


def put(cur: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    cur.execute("INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value])
