"""SQL for the officers' queue: the filtered, scoped, sorted page of complaints, counts per status, and saved views."""
from __future__ import annotations

from datetime import date, datetime

import duckdb

from lib.core.complaints import Status
from lib.db.connect import fetch_one, fetch_value
from lib.db.casework.deadlines import age_days
from lib.core.i18n import Language

# The queue's orders, by lib.queue.SortColumn value: fixed SQL, chosen from this table only.
_STATUS_ORDER = "CASE c.status " + " ".join(f"WHEN '{s.value}' THEN {i}" for i, s in enumerate(Status)) + " END"
SORT_SQL = {
    "filed_at": "c.filed_at",
    "tracking_no": "c.tracking_no",
    "status": _STATUS_ORDER,
    "department": "department",
    "place": "place",
    "ward": "c.ward",
    "category": "category",
    "overdue": "overdue",
}
DIRECTION_SQL = {"asc": "ASC", "desc": "DESC"}
# Orders whose key can be NULL (a complaint without a department yet, a village without wards) put
# those last. The others say nothing about NULLs: PostgreSQL takes "DESC NULLS LAST" for another
# order than its filed_at index read backward, and sorted every complaint to show the newest 50
# (0.80 s against 0.2 ms at a million, EXPLAIN ANALYZE, 30 Nov 2026).
NULLABLE_SORTS = {"department", "place", "ward", "category"}
UNASSIGNED = "-"                 # department filter value: complaints no department has yet
# Names in the reader's language (a fixed choice of column, never text from the request).
_NAMES = {
    Language.HINDI: ("coalesce(dp.name_hi, dp.name_en)", "coalesce(p.name_hi, p.name_en)",
                     "coalesce(cat.name_hi, cat.name_en)"),
    Language.ENGLISH: ("dp.name_en", "p.name_en", "cat.name_en"),
}


def where_clause(scope: tuple[str, list], overdue: tuple[str, list], filters,
                 window: tuple[datetime | None, datetime | None], search) -> tuple[str, list]:
    """(condition on complaints alias c, parameters): the user's scope AND every filter set.

    `filters` is a lib.casework.queue.QueueFilters; `window` is its filed_at range and `search` its
    lib.casework.queue.Search (ILIKE pattern, compact tracking number, mobile tail), worked out there.
    """
    scope_sql, scope_params = scope
    parts, params = [f"({scope_sql})"], list(scope_params)

    def add(sql: str, *values) -> None:
        parts.append(sql)
        params.extend(values)

    if filters.statuses:
        add(f"c.status IN ({', '.join('?' for _ in filters.statuses)})", *[str(s) for s in filters.statuses])
    if filters.department_code == UNASSIGNED:
        add("c.department_code IS NULL")
    elif filters.department_code:
        add("c.department_code = ?", filters.department_code)
    for column in ("tehsil_lgd", "place_lgd", "ward", "category_code"):
        value = getattr(filters, column)
        if value is not None:
            add(f"c.{column} = ?", value)
    if filters.overdue is not None:
        overdue_sql, overdue_params = overdue
        add(f"({overdue_sql})" if filters.overdue else f"NOT ({overdue_sql})", *overdue_params)
    low, high = window
    if low is not None:
        add("c.filed_at >= ?", low)
    if high is not None:
        add("c.filed_at < ?", high)
    if search.pattern:
        matches, values = ["c.subject ILIKE ? ESCAPE '\\'", "c.description ILIKE ? ESCAPE '\\'"], [search.pattern] * 2
        if search.tracking_compact:
            matches.append("replace(upper(c.tracking_no), '-', '') LIKE ?")
            values.append(search.tracking_compact)
        if search.mobile_tail:
            matches.append("c.mobile LIKE ?")
            values.append(search.mobile_tail)
        add(f"({' OR '.join(matches)})", *values)
    return " AND ".join(parts), params


def count_by_status(cur: duckdb.DuckDBPyConnection, where: tuple[str, list]) -> dict[str, int]:
    sql, params = where
    rows = cur.execute(f"SELECT c.status, count(*) FROM complaints c WHERE {sql} GROUP BY c.status", params).fetchall()
    return {status: count for status, count in rows}


def fetch_rows(cur: duckdb.DuckDBPyConnection, where: tuple[str, list], overdue: tuple[str, list],
               sort: str, direction: str, language: str, today: date, *, limit: int, offset: int) -> list[tuple]:
    """(tracking_no, filed_at, status, department, place, ward, category, subject, age in days,
    overdue, id, version, channel) of one page, in the asked order with the id as tie-break so pages never overlap.
    No mobile, Aadhaar or PPP column is ever selected here."""
    order = SORT_SQL[str(sort)]              # KeyError for anything not in the table
    way = DIRECTION_SQL[str(direction)]
    nulls = " NULLS LAST" if str(sort) in NULLABLE_SORTS else ""
    department, place, category = _NAMES[Language(language)]
    where_sql, where_params = where
    overdue_sql, overdue_params = overdue
    joins = """LEFT JOIN departments dp ON dp.code = c.department_code
        LEFT JOIN places p ON p.lgd_code = c.place_lgd
        LEFT JOIN categories cat ON cat.code = c.category_code"""
    # Pick the page's ids first, and only then name, age and flag those rows: working out the
    # overdue test and the names for every visible complaint just to keep 50 grew with the table.
    sort_key = {"department": department, "place": place, "category": category}.get(str(sort), order)
    sort_params = list(overdue_params) if str(sort) == "overdue" else []
    if str(sort) == "overdue":
        sort_key = f"({overdue_sql})"
    sql = f"""
        WITH page AS (
            SELECT c.id, {sort_key} AS sort_key
            FROM complaints c
            {joins if str(sort) in ("department", "place", "category") else ""}
            WHERE {where_sql}
            ORDER BY sort_key {way}{nulls}, c.id {way}
            LIMIT ? OFFSET ?)
        SELECT c.tracking_no, c.filed_at, c.status, {department} AS department, {place} AS place,
               c.ward, {category} AS category, c.subject, {age_days(cur)} AS age_days,
               ({overdue_sql}) AS overdue, c.id, c.version, c.channel
        FROM page JOIN complaints c ON c.id = page.id
        {joins}
        ORDER BY page.sort_key {way}{nulls}, c.id {way}"""
    return cur.execute(sql, [*sort_params, *where_params, limit, offset, today, *overdue_params]).fetchall()


# ---- Saved views ----

def view_name_taken(cur: duckdb.DuckDBPyConnection, username: str, name: str) -> bool:
    return bool(fetch_value(cur, "SELECT count(*) FROM saved_views WHERE username = ? AND name = ?",
                            [username, name]))


def insert_view(cur: duckdb.DuckDBPyConnection, username: str, name: str, filters_json: str, now: datetime) -> None:
    cur.execute("INSERT INTO saved_views (id, username, name, filters, created_at)"
                " VALUES (nextval('saved_view_seq'), ?, ?, ?, ?)", [username, name, filters_json, now])


def list_views(cur: duckdb.DuckDBPyConnection, username: str) -> list[tuple[int, str, str, datetime]]:
    return cur.execute("SELECT id, name, filters, created_at FROM saved_views WHERE username = ?"
                       " ORDER BY lower(name), id", [username]).fetchall()


def delete_view(cur: duckdb.DuckDBPyConnection, username: str, view_id: int) -> bool:
    return fetch_one(cur, "DELETE FROM saved_views WHERE id = ? AND username = ? RETURNING id",
                     [view_id, username]) is not None
