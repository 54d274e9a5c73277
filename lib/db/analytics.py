"""SQL for the analytics page: every figure is a GROUP BY over the complaints of the period; no query returns a complaint row.

Aggregates only, by design: these queries never name a personal or free-text column (names,
mobiles, identity numbers, subjects, descriptions, localities, remarks, tracking numbers), and
tests/analytics/test_analytics_page.py checks every statement the page runs. Each function returns a small
DataFrame of counts (tens to a few thousand rows), whatever the number of complaints.

None reads the history (complaint_events, about eight rows per complaint) or the citizens' answers:
reopenings, hearings, acceptance, hearing and resolution are the per-complaint facts on the complaint
row (migration 008), and so is the count of each answer (023), kept by the lifecycle actions, so a
figure costs one pass over the period's complaints.

On PostgreSQL the same queries run; what the engines spell differently is chosen here: the day in
Rewari of a moment, the days between two moments (both from whole microseconds, as on DuckDB) and
the median (percentile_cont(0.5) there).
"""
from __future__ import annotations

from datetime import date, datetime

import duckdb
import pandas as pd

from lib.core.complaints import DISPOSED_STATUSES, OPEN_STATUSES, Status
from lib.core.lifecycle import Feedback
from lib.db.connect import dialect
from lib.db.reference import CATEGORY_ORDER

OPEN = sorted(OPEN_STATUSES)
DISPOSED = sorted(DISPOSED_STATUSES)
SOLVED = sorted((Status.RESOLVED, Status.CLOSED))       # disposed by solving, not by rejecting
US_PER_DAY = 86_400_000_000
# Asia/Kolkata has been UTC+5:30 all year since 1945, so a moment's day in Rewari is plain integer
# arithmetic on its epoch: over a million rows that is ~40x faster than DuckDB's time zone
# functions, and it is what keeps the page fast. Day numbers count from 1970-01-01.
IST_OFFSET_US = 19_800_000_000
EPOCH_DAY = date(1970, 1, 1)


def _epoch_us(column: str, engine: str) -> str:
    if engine == "postgres":
        return f"(extract(epoch FROM {column}) * 1000000)::BIGINT"
    return f"epoch_us({column})"


def _ist_day(column: str, engine: str = "duckdb") -> str:
    """SQL: the day number in Rewari of a TIMESTAMPTZ column (NULL stays NULL)."""
    if engine == "postgres":
        return f"(timezone('Asia/Kolkata', {column})::DATE - DATE '1970-01-01')"
    return f"((epoch_us({column}) + {IST_OFFSET_US}) // {US_PER_DAY})"


def _days_between(earlier: str, later: str, engine: str = "duckdb") -> str:
    """SQL: fractional days from one TIMESTAMPTZ to another (no interval arithmetic: it is slow)."""
    return (f"(({_epoch_us(later, engine)} - {_epoch_us(earlier, engine)})::DOUBLE PRECISION"
            f" / {US_PER_DAY}.0::DOUBLE PRECISION)")


def _median(expression: str, engine: str) -> str:
    if engine == "postgres":
        return f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {expression})"
    return f"median({expression})"


def day_number(day: date) -> int:
    return (day - EPOCH_DAY).days


def _marks(values) -> str:
    return ", ".join("?" for _ in values)


class _Query:
    """SQL text and its positional parameters, written side by side so they cannot drift apart."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: list = []

    def add(self, sql: str, *params) -> _Query:
        self.parts.append(sql)
        self.params.extend(params)
        return self

    def add_in(self, before: str, values, after: str = ")") -> _Query:
        values = [str(v) for v in values]
        return self.add(f"{before}{_marks(values)}{after}", *values)

    @property
    def sql(self) -> str:
        return "\n".join(self.parts)


def slice_condition(tehsil_lgd: int | None, department_code: str | None,
                    category_code: str | None) -> tuple[str, list]:
    """(condition on complaints alias c, parameters) for the filters other than the period."""
    parts, params = ["TRUE"], []
    for column, value in (("tehsil_lgd", tehsil_lgd), ("department_code", department_code),
                          ("category_code", category_code)):
        if value is not None:
            parts.append(f"c.{column} = ?")
            params.append(value)
    return " AND ".join(parts), params


def headline_by_department(cur: duckdb.DuckDBPyConnection, start: datetime, end: datetime,
                           where: tuple[str, list], overdue: tuple[str, list], today: date,
                           resolve_days: int, age_buckets) -> pd.DataFrame:
    """Complaints filed in [start, end) within the slice: one row for all of them (is_total) and
    one per department (NULL: none yet), with counts per status, disposal, overdue, timeliness,
    reopenings, hearings and the ageing of pending work. Medians are in days."""
    where_sql, where_params = where
    overdue_sql, overdue_params = overdue
    engine = dialect(cur)
    # Per-complaint facts on the row (migration 008), kept by the lifecycle actions: no history scan.
    q = _Query().add("WITH f AS MATERIALIZED (SELECT c.department_code, c.status, c.filed_at,")
    q.add_in("  CASE WHEN c.status IN (", SOLVED, ") THEN c.resolved_at END AS solved_at,")
    q.add("  coalesce(c.reopen_count, 0) > 0 AS reopened,")
    # Solved once and still solved, or solved and reopened: a reopening clears resolved_at.
    q.add("  (c.resolved_at IS NOT NULL OR coalesce(c.reopen_count, 0) > 0) AS ever_solved,")
    q.add("  coalesce(c.hearings_held, 0) AS hearings_held, coalesce(c.hearings_called_off, 0) AS hearings_called_off,")
    q.add("  coalesce(c.hearings_no_show, 0) AS hearings_no_show,")
    q.add(f"  {_days_between('c.accepted_at', 'c.heard_at', engine)} AS days_to_hearing,")
    q.add(f"  {_ist_day('c.filed_at', engine)} AS filed_on, ? - {_ist_day('c.filed_at', engine)} AS age",
          day_number(today))
    q.add(" FROM complaints c")
    q.add(f" WHERE c.filed_at >= ? AND c.filed_at < ? AND ({where_sql}))", start, end, *where_params)
    # Per department in one pass; the district's row adds them up (a second GROUPING SETS pass
    # over every complaint cost as much again), but for the medians, which are taken over f.
    q.add(", d AS (SELECT department_code, count(*) AS received,")
    for status in Status:
        q.add(f" count(*) FILTER (WHERE status = ?) AS \"status_{status.value}\",", str(status))
    q.add_in(" count(*) FILTER (WHERE status IN (", DISPOSED, ")) AS disposed,")
    q.add_in(" count(*) FILTER (WHERE status IN (", OPEN, ")) AS pending,")
    q.add(" count(*) FILTER (WHERE solved_at IS NOT NULL) AS solved,")
    q.add(f" count(*) FILTER (WHERE {_ist_day('solved_at', engine)} <= filed_on + ?) AS solved_on_time,",
          resolve_days)
    q.add(f" {_median(_days_between('filed_at', 'solved_at', engine), engine)} AS median_days_to_resolve,")
    q.add(" count(*) FILTER (WHERE reopened) AS reopened, count(*) FILTER (WHERE ever_solved) AS ever_solved,")
    q.add(" sum(hearings_held)::BIGINT AS hearings_held, sum(hearings_called_off)::BIGINT AS hearings_called_off,")
    q.add(" sum(hearings_no_show)::BIGINT AS hearings_no_show,")
    q.add(f" {_median('days_to_hearing', engine)} AS median_days_to_hearing,")
    for i, (first, last) in enumerate(age_buckets):
        condition = "age >= ?" if last is None else "age BETWEEN ? AND ?"
        q.add_in(f" count(*) FILTER (WHERE status IN (", OPEN, f") AND {condition}) AS age_{i},")
        q.params.extend([first] if last is None else [first, last])
    q.parts[-1] = q.parts[-1].rstrip(",")
    q.add("FROM f GROUP BY department_code)")
    # Overdue only among open complaints: the rule's late-direction test is a join, and over every
    # complaint of the period it cost more than all the other figures together.
    q.add(", od AS (SELECT c.department_code, count(*) AS overdue FROM complaints c")
    q.add(f" WHERE c.filed_at >= ? AND c.filed_at < ? AND ({where_sql})", start, end, *where_params)
    q.add_in("  AND c.status IN (", OPEN, ")")
    q.add(f"  AND ({overdue_sql}) GROUP BY c.department_code)", *overdue_params)
    q.add(", d2 AS (SELECT d.*, coalesce(od.overdue, 0) AS overdue FROM d LEFT JOIN od"
          " ON od.department_code IS NOT DISTINCT FROM d.department_code)")
    medians = {"median_days_to_resolve": _median(_days_between("filed_at", "solved_at", engine), engine),
               "median_days_to_hearing": _median("days_to_hearing", engine)}
    columns = ["received", *(f"status_{s.value}" for s in Status), "disposed", "pending", "overdue", "solved",
               "solved_on_time", "median_days_to_resolve", "reopened", "ever_solved", "hearings_held",
               "hearings_called_off", "hearings_no_show", "median_days_to_hearing",
               *(f"age_{i}" for i in range(len(age_buckets)))]
    total = [f"(SELECT {medians[c]} FROM f)" if c in medians else f'coalesce(sum("{c}"), 0)::BIGINT'
             for c in columns]
    q.add("SELECT false AS is_total, department_code, " + ", ".join(f'"{c}"' for c in columns) + " FROM d2")
    q.add("UNION ALL SELECT true, NULL, " + ", ".join(total) + " FROM d2")
    q.add("ORDER BY is_total DESC, received DESC, department_code NULLS LAST")
    return cur.execute(q.sql, q.params).df()


def counts_by_channel(cur: duckdb.DuckDBPyConnection, start: datetime, end: datetime,
                      where: tuple[str, list]) -> pd.DataFrame:
    """Complaints filed in [start, end) within the slice per channel ('web', 'api:<partner>'):
    received, disposed and pending."""
    where_sql, where_params = where
    q = _Query().add("SELECT coalesce(c.channel, 'web') AS channel, count(*) AS received,")
    q.add_in(" count(*) FILTER (WHERE c.status IN (", DISPOSED, ")) AS disposed,")
    q.add_in(" count(*) FILTER (WHERE c.status IN (", OPEN, ")) AS pending")
    q.add(f" FROM complaints c WHERE c.filed_at >= ? AND c.filed_at < ? AND ({where_sql})", start, end, *where_params)
    q.add(" GROUP BY 1 ORDER BY received DESC, channel")
    return cur.execute(q.sql, q.params).df()


def counts_by_place(cur: duckdb.DuckDBPyConnection, start: datetime, end: datetime,
                    where: tuple[str, list], *, tehsils_only: bool = False) -> pd.DataFrame:
    """Complaints filed in [start, end) within the slice, received and pending, at four levels:
    per tehsil, per village or town, per town ward, and per town ward and category
    (`level`: 'tehsil', 'place', 'ward', 'ward_category'); only the first with `tehsils_only`."""
    where_sql, where_params = where
    if tehsils_only:
        q = _Query().add("SELECT 'tehsil' AS level, c.tehsil_lgd, NULL::INTEGER AS place_lgd, NULL::INTEGER AS ward,")
        q.add(" NULL::VARCHAR AS category_code, count(*) AS received,")
        q.add_in(" count(*) FILTER (WHERE c.status IN (", OPEN, ")) AS pending FROM complaints c")
        q.add(f" WHERE c.filed_at >= ? AND c.filed_at < ? AND ({where_sql})", start, end, *where_params)
        return cur.execute(q.sql + " GROUP BY c.tehsil_lgd", q.params).df()
    # One pass groups the period's complaints at the finest level (a few thousand groups); the four
    # levels add those up. GROUPING SETS straight over the complaints hashed every row four times:
    # at ten million complaints 0.31 s against 0.15 s this way (1 December 2026).
    q = _Query().add("WITH fine AS (SELECT c.tehsil_lgd, c.place_lgd, c.ward, c.category_code, count(*) AS received,")
    q.add_in(" count(*) FILTER (WHERE c.status IN (", OPEN, ")) AS pending")
    q.add(" FROM complaints c")
    q.add(f" WHERE c.filed_at >= ? AND c.filed_at < ? AND ({where_sql})", start, end, *where_params)
    q.add(" GROUP BY c.tehsil_lgd, c.place_lgd, c.ward, c.category_code)")
    q.add("SELECT CASE grouping(tehsil_lgd, place_lgd, ward, category_code)")
    q.add(" WHEN 7 THEN 'tehsil' WHEN 11 THEN 'place' WHEN 9 THEN 'ward' ELSE 'ward_category' END AS level,")
    q.add(" tehsil_lgd, place_lgd, ward, category_code, sum(received)::BIGINT AS received,")
    q.add(" sum(pending)::BIGINT AS pending FROM fine")
    q.add(" GROUP BY GROUPING SETS ((tehsil_lgd), (place_lgd), (place_lgd, ward), (place_lgd, ward, category_code))")
    # Ward rows only for towns: a village complaint has no ward.
    q.add(" HAVING grouping(ward) = 1 OR ward IS NOT NULL")
    return cur.execute(q.sql, q.params).df()


def flow_by_period(cur: duckdb.DuckDBPyConnection, start: datetime, end: datetime, where: tuple[str, list],
                   grain: str) -> tuple[int, pd.DataFrame]:
    """(backlog at `start`, frame of bucket, received, disposed) per week or month (`grain`, a
    date_trunc part) of [start, end), within the slice. Disposed counts complaints disposed in
    the bucket whenever they were filed; the backlog is what was open at `start`."""
    if grain not in ("week", "month"):
        raise ValueError(f"not a grain: {grain}")
    where_sql, where_params = where
    engine = dialect(cur)
    # From the complaint row alone: resolved_at is kept by the lifecycle, and a rejection is final
    # (lib.core.lifecycle has no way out of it), so a rejected complaint's last change is its rejection.
    q = _Query().add("WITH d AS MATERIALIZED (SELECT c.filed_at, c.status IN (" + _marks(OPEN) + ") AS is_open,", *OPEN)
    q.add_in("  CASE WHEN c.status IN (", SOLVED, ") THEN c.resolved_at")
    q.add("       WHEN c.status = ? THEN c.updated_at END AS disposed_at", str(Status.REJECTED))
    q.add(" FROM complaints c")
    q.add(f" WHERE c.filed_at < ? AND ({where_sql}))", end, *where_params)
    # Count per day first (integer keys, fast), then fold the few hundred days into weeks or months.
    q.add(", days AS (SELECT 'received' AS kind, " + _ist_day("filed_at", engine) + " AS day, count(*) AS n")
    q.add(" FROM d WHERE filed_at >= ? GROUP BY 1, 2", start)
    q.add(" UNION ALL SELECT 'disposed', " + _ist_day("disposed_at", engine) + ", count(*)")
    q.add(" FROM d WHERE disposed_at >= ? AND disposed_at < ? GROUP BY 1, 2)", start, end)
    q.add("SELECT kind, date_trunc(?, (DATE '1970-01-01' + day::INTEGER)::TIMESTAMP)::DATE AS bucket,"
          " sum(n)::BIGINT", grain)
    q.add(" FROM days GROUP BY 1, 2")
    q.add("UNION ALL SELECT 'backlog', NULL, count(*) FROM d WHERE filed_at < ? AND (is_open OR disposed_at >= ?)",
          start, start)
    rows = cur.execute(q.sql, q.params).fetchall()
    backlog = next((n for kind, _, n in rows if kind == "backlog"), 0)
    frame = pd.DataFrame([r for r in rows if r[0] != "backlog"], columns=["kind", "bucket", "n"])
    frame = frame.pivot_table(index="bucket", columns="kind", values="n", aggfunc="sum", fill_value=0)
    frame = frame.reindex(columns=["received", "disposed"], fill_value=0).reset_index()
    frame.columns.name = None
    return int(backlog), frame


def feedback_by_department(cur: duckdb.DuckDBPyConnection, start: datetime, end: datetime,
                           where: tuple[str, list]) -> pd.DataFrame:
    """The citizens' answers (solved / partly / not solved) per department, for complaints filed
    in [start, end) within the slice: from each complaint's count of each answer (migration 023),
    so no answer is read, only the period's complaints."""
    where_sql, where_params = where
    answers = [str(answer) for answer in Feedback]
    q = _Query().add("WITH s AS (SELECT c.department_code, "
                     + ", ".join(f"sum(coalesce(c.feedback_{a}, 0))::BIGINT AS {a}" for a in answers))
    q.add(f" FROM complaints c WHERE c.filed_at >= ? AND c.filed_at < ? AND ({where_sql})", start, end, *where_params)
    q.add("  AND (" + " OR ".join(f"c.feedback_{a} > 0" for a in answers) + ")")
    q.add(" GROUP BY c.department_code)")
    q.add(" UNION ALL ".join(f"SELECT department_code, '{a}' AS answer, {a} AS answers FROM s WHERE {a} > 0"
                             for a in answers))
    q.add("ORDER BY department_code NULLS LAST, answer")
    return cur.execute(q.sql, q.params).df()


def reference_names(cur: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """Names of tehsils, places (with their tehsil, kind and wards), departments and categories."""
    return {
        "tehsils": cur.execute("SELECT lgd_code AS tehsil_lgd, name_en, name_hi FROM tehsils").df(),
        "places": cur.execute("SELECT lgd_code AS place_lgd, tehsil_lgd, kind, name_en, name_hi, wards"
                              " FROM places").df(),
        "departments": cur.execute("SELECT code AS department_code, name_en, name_hi FROM departments").df(),
        "categories": cur.execute("SELECT code AS category_code, name_en, name_hi FROM categories"
                                  f" ORDER BY {CATEGORY_ORDER}").df(),
    }


# ---- appeals (issue #15) ----

def appeals_by_department(cur: duckdb.DuckDBPyConnection, start: datetime, end: datetime,
                          where: tuple[str, list]) -> pd.DataFrame:
    """Appeals on complaints filed in [start, end) within the slice, per department (NULL: none):
    appeals, pending, sent_back, upheld. Department-level counts are exact (suppression.py)."""
    where_sql, where_params = where
    q = _Query().add("SELECT c.department_code, count(*) AS appeals,")
    q.add(" count(*) FILTER (WHERE a.status = 'pending') AS pending,")
    q.add(" count(*) FILTER (WHERE a.status = 'sent_back') AS sent_back,")
    q.add(" count(*) FILTER (WHERE a.status = 'upheld') AS upheld")
    q.add(" FROM appeals a JOIN complaints c ON c.id = a.complaint_id")
    q.add(f" WHERE c.filed_at >= ? AND c.filed_at < ? AND ({where_sql})", start, end, *where_params)
    q.add(" GROUP BY c.department_code ORDER BY appeals DESC, c.department_code")
    return cur.execute(q.sql, q.params).df()
