"""SQL for the audit trail: an append-only record of who did what."""
from __future__ import annotations

from datetime import datetime

import duckdb


def write(cur: duckdb.DuckDBPyConnection, *, actor: str, action: str, target: str | None,
          detail: str | None, now: datetime) -> None:
    cur.execute(
        "INSERT INTO audit_log (id, happened_at, actor, action, target, detail)"
        " VALUES (nextval('audit_seq'), ?, ?, ?, ?, ?)", [now, actor, action, target, detail])


def recent(cur: duckdb.DuckDBPyConnection, limit: int = 200) -> list[tuple]:
    """(when, actor, action, target, detail), newest first."""
    return cur.execute("SELECT happened_at, actor, action, target, detail FROM audit_log"
                       " ORDER BY id DESC LIMIT ?", [limit]).fetchall()


def department_codes(cur: duckdb.DuckDBPyConnection) -> set[str]:
    """Every department code, inactive ones too: what a complaint entry's detail may name."""
    return {row[0] for row in cur.execute("SELECT code FROM departments").fetchall()}
