"""SQL for the admin page's edits to departments (users' SQL lives in lib/db/users.py)."""
from __future__ import annotations

import duckdb

from lib.db.connect import fetch_one

DEPARTMENT_COLUMNS = "code, name_en, name_hi, officer_title_en, officer_title_hi, active"


def list_all_departments(cur: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Every department, inactive ones too (the filing form sees only active ones), by English name."""
    return cur.execute(f"SELECT {DEPARTMENT_COLUMNS} FROM departments ORDER BY name_en").fetchall()


def get_department(cur: duckdb.DuckDBPyConnection, code: str) -> tuple | None:
    return fetch_one(cur, f"SELECT {DEPARTMENT_COLUMNS} FROM departments WHERE code = ?", [code])


def department_named(cur: duckdb.DuckDBPyConnection, name_en: str, other_than: str) -> str | None:
    """The code of another department with this English name (case and spacing ignored), if any."""
    row = fetch_one(cur, "SELECT code FROM departments WHERE lower(trim(name_en)) = lower(trim(?))"
                         " AND code <> ?", [name_en, other_than])
    return row[0] if row else None


def update_department(cur: duckdb.DuckDBPyConnection, code: str, *, name_en: str, name_hi: str,
                      officer_title_en: str | None, officer_title_hi: str | None, active: bool) -> None:
    cur.execute(
        "UPDATE departments SET name_en = ?, name_hi = ?, officer_title_en = ?, officer_title_hi = ?,"
        " active = ? WHERE code = ?",
        [name_en, name_hi, officer_title_en, officer_title_hi, active, code])
