"""SQL for escalation: the complaints due to go up a level, the claim that makes each step happen
once, who is told, and what each level's officers see as escalated to them."""
from __future__ import annotations

from datetime import datetime

import duckdb

from lib.db.connect import fetch_one


def _marks(values) -> str:
    return ", ".join("?" for _ in values)


def claim_due(cur: duckdb.DuckDBPyConnection, overdue: tuple[str, list], level: str, now: datetime, *,
              needs_department: bool, after_level: str | None, limit: int) -> list[tuple[int, str, str | None]]:
    """Claim, oldest first, up to `limit` complaints overdue by the level's delay (`overdue` is the
    overdue condition evaluated that many days ago) that have not reached `level`: one row of
    `escalations` each, the primary key (complaint, level) being the claim. Returns (id, tracking_no,
    department_code) of the rows this transaction inserted; a row another transaction holds is left to
    it (PostgreSQL waits for it and skips it; DuckDB refuses the commit, and the next try skips it).
    `needs_department`: only complaints with a department (a head needs one); `after_level`: a
    complaint with a department must have reached that level first (level by level)."""
    overdue_sql, overdue_params = overdue
    parts, params = [f"({overdue_sql})"], list(overdue_params)
    parts.append("NOT EXISTS (SELECT 1 FROM escalations e WHERE e.complaint_id = c.id AND e.level = ?)")
    params.append(level)
    if needs_department:
        parts.append("c.department_code IS NOT NULL")
    if after_level:
        parts.append("(c.department_code IS NULL OR EXISTS (SELECT 1 FROM escalations p"
                     " WHERE p.complaint_id = c.id AND p.level = ?))")
        params.append(after_level)
    claimed = cur.execute(
        "INSERT INTO escalations (complaint_id, level, escalated_at, department_code)"
        f" SELECT c.id, ?, ?, c.department_code FROM complaints c WHERE {' AND '.join(parts)}"
        " ORDER BY c.filed_at, c.id LIMIT ? ON CONFLICT DO NOTHING RETURNING complaint_id",
        [level, now, *params, limit]).fetchall()
    if not claimed:
        return []
    ids = [r[0] for r in claimed]
    return cur.execute(f"SELECT id, tracking_no, department_code FROM complaints WHERE id IN ({_marks(ids)})"
                       " ORDER BY filed_at, id", ids).fetchall()


def department_heads(cur: duckdb.DuckDBPyConnection, department_code: str) -> list[tuple[str, str | None]]:
    """(username, mobile) of the active heads of a department."""
    return cur.execute("SELECT username, mobile FROM users WHERE active AND role = 'officer'"
                       " AND department_code = ? AND head_of = department_code ORDER BY username",
                       [department_code]).fetchall()


def dc_office(cur: duckdb.DuckDBPyConnection) -> list[tuple[str, str | None]]:
    """(username, mobile) of the active DC-office accounts."""
    return cur.execute("SELECT username, mobile FROM users WHERE active AND role = 'dc' ORDER BY username").fetchall()


def officer_contact(cur: duckdb.DuckDBPyConnection, username: str) -> tuple | None:
    """(role, department_code, head_of, mobile) of an account."""
    return fetch_one(cur, "SELECT role, department_code, head_of, mobile FROM users WHERE username = ?", [username])


def set_officer_contact(cur: duckdb.DuckDBPyConnection, username: str, head_of: str | None, mobile: str | None) -> None:
    cur.execute("UPDATE users SET head_of = ?, mobile = ? WHERE username = ?", [head_of, mobile, username])


def officer_contacts(cur: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(username, display_name, role, department_code, is head now, mobile) of active DC-office and
    officer accounts, for the admin's list."""
    return cur.execute(
        "SELECT username, display_name, role, department_code,"
        " coalesce(role = 'officer' AND head_of = department_code, false), mobile"
        " FROM users WHERE active AND role IN ('dc', 'officer') ORDER BY role, department_code, username").fetchall()


def escalated_to(cur: duckdb.DuckDBPyConnection, level: str, top_level: str, scope: tuple[str, list],
                 department_code: str | None, open_statuses, limit: int) -> list[tuple]:
    """(tracking_no, subject, status, department_code, highest level reached, when it reached `level`)
    of open complaints within the scope that reached `level` (of one department when given), the
    longest waiting first."""
    scope_sql, scope_params = scope
    statuses = sorted(open_statuses)
    sql = (
        "SELECT c.tracking_no, c.subject, c.status, c.department_code,"
        " CASE WHEN EXISTS (SELECT 1 FROM escalations t WHERE t.complaint_id = c.id AND t.level = ?)"
        "  THEN ? ELSE e.level END, e.escalated_at"
        " FROM escalations e JOIN complaints c ON c.id = e.complaint_id"
        f" WHERE e.level = ? AND ({scope_sql}) AND c.status IN ({_marks(statuses)})")
    params = [top_level, top_level, level, *scope_params, *statuses]
    if department_code is not None:
        sql += " AND c.department_code = ?"
        params.append(department_code)
    sql += " ORDER BY e.escalated_at, c.id LIMIT ?"
    return cur.execute(sql, [*params, limit]).fetchall()
