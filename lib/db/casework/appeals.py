"""SQL of appeals (issue #15): the citizen's appeal, its decision, the appellate officer's queue, and
what the rules need to know (the citizen's latest answer)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from lib.core.masking import mask_aadhaar_in_text
from lib.core.roles import User
from lib.db.connect import fetch_one, fetch_value
from lib.db.scope import complaints_visible_to

PENDING, SENT_BACK, UPHELD = "pending", "sent_back", "upheld"     # appeals.status


@dataclass(frozen=True)
class Appeal:
    id: int
    complaint_id: int
    filed_at: datetime
    reason: str
    status: str
    decided_by: str | None
    decided_at: datetime | None


@dataclass(frozen=True)
class QueuedAppeal:
    """One line of the appellate officer's queue."""
    tracking_no: str
    filed_at: datetime              # the appeal's
    status: str                     # the appeal's
    complaint_status: str
    department_code: str | None
    subject: str


_APPEAL_COLUMNS = "a.id, a.complaint_id, a.filed_at, a.reason, a.status, a.decided_by, a.decided_at"


def add_appeal(cur: duckdb.DuckDBPyConnection, complaint_id: int, reason: str, now: datetime) -> int:
    return fetch_value(
        cur, "INSERT INTO appeals (id, complaint_id, filed_at, reason, status)"
             " VALUES (nextval('appeal_seq'), ?, ?, ?, ?) RETURNING id",
        [complaint_id, now, mask_aadhaar_in_text(reason), PENDING])


def appeal_of(cur: duckdb.DuckDBPyConnection, complaint_id: int) -> Appeal | None:
    row = fetch_one(cur, f"SELECT {_APPEAL_COLUMNS} FROM appeals a WHERE a.complaint_id = ?", [complaint_id])
    return Appeal(*row) if row else None


def decide(cur: duckdb.DuckDBPyConnection, appeal_id: int, status: str, by: str, now: datetime) -> bool:
    """Record the decision of a pending appeal; False when it was decided already."""
    rows = cur.execute("UPDATE appeals SET status = ?, decided_by = ?, decided_at = ?"
                       " WHERE id = ? AND status = ? RETURNING id",
                       [status, by, now, appeal_id, PENDING]).fetchall()
    return bool(rows)


def is_upheld(cur: duckdb.DuckDBPyConnection, complaint_id: int) -> bool:
    """The disposal was upheld on appeal: the complaint is closed for good."""
    return bool(fetch_value(cur, "SELECT count(*) FROM appeals WHERE complaint_id = ? AND status = ?",
                            [complaint_id, UPHELD]))


def latest_feedback(cur: duckdb.DuckDBPyConnection, complaint_id: int) -> tuple[str, datetime] | None:
    """(answer, when) of the citizen's latest answer, if any."""
    row = fetch_one(cur, "SELECT answer, given_at FROM feedback WHERE complaint_id = ?"
                         " ORDER BY given_at DESC LIMIT 1", [complaint_id])
    return (row[0], row[1]) if row else None


def queue(cur: duckdb.DuckDBPyConnection, user: User, pending_only: bool) -> list[QueuedAppeal]:
    """The appeals of complaints this user may see, oldest pending first."""
    scope, scope_params = complaints_visible_to(user)
    rows = cur.execute(
        "SELECT c.tracking_no, a.filed_at, a.status, c.status, c.department_code, c.subject"
        " FROM appeals a JOIN complaints c ON c.id = a.complaint_id"
        f" WHERE {scope} AND (NOT ? OR a.status = ?)"
        " ORDER BY CASE WHEN a.status = ? THEN 0 ELSE 1 END, a.filed_at, a.id",
        [*scope_params, pending_only, PENDING, PENDING]).fetchall()
    return [QueuedAppeal(*r) for r in rows]
