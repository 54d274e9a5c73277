"""SQL for deadlines: local holidays, the working calendar, and the one condition that says a complaint is overdue."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa

from lib.core.complaints import OPEN_STATUSES, Status
from lib.db.connect import dialect, fetch_one, fetch_value

IST = ZoneInfo("Asia/Kolkata")
# The steps before acceptance, measured against the verification target (as in lib.deadlines;
# tests/casework/test_deadlines.py checks this SQL against the Python rules).
VERIFYING = (Status.SUBMITTED, Status.UNDER_SCRUTINY)
LONG_AGO = date(1900, 1, 1)
# A complaint's filing day in Rewari, and its age in whole days on the day given as a parameter.
FILED_ON = "timezone('Asia/Kolkata', c.filed_at)::DATE"
AGE_DAYS = f"date_diff('day', {FILED_ON}, ?::DATE)"
# PostgreSQL has no date_diff (a date minus a date is its days) nor arg_min.
_AGE_DAYS_POSTGRES = f"(?::DATE - {FILED_ON})"
_OLDEST = {"duckdb": "arg_min(o.tracking_no, o.filed_at)",
           "postgres": "(array_agg(o.tracking_no ORDER BY o.filed_at))[1]"}


def age_days(cur) -> str:
    """SQL for a complaint's age in whole days on the day given as its one parameter."""
    return _AGE_DAYS_POSTGRES if dialect(cur) == "postgres" else AGE_DAYS


class CalendarMissing(RuntimeError):
    """The working calendar has no row for the day asked about: rebuild it (lib.deadlines)."""


def _marks(values) -> str:
    return ", ".join("?" for _ in values)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=IST)


def local_holidays(cur: duckdb.DuckDBPyConnection, year: int | None = None) -> list[tuple[date, str]]:
    """(day, name) of the admin's holidays, by day; of one year, or all."""
    if year is None:
        return cur.execute("SELECT day, name FROM holidays ORDER BY day").fetchall()
    return cur.execute("SELECT day, name FROM holidays WHERE extract(year FROM day) = ? ORDER BY day", [year]).fetchall()


def has_local_holiday(cur: duckdb.DuckDBPyConnection, day: date) -> bool:
    return bool(fetch_value(cur, "SELECT count(*) FROM holidays WHERE day = ?", [day]))


def insert_holiday(cur: duckdb.DuckDBPyConnection, day: date, name: str, actor: str) -> None:
    cur.execute("INSERT INTO holidays (day, name, added_by) VALUES (?, ?, ?)", [day, name, actor])


def delete_holiday(cur: duckdb.DuckDBPyConnection, day: date) -> str | None:
    """Remove a local holiday; its name, or None when there was none that day."""
    row = fetch_one(cur, "DELETE FROM holidays WHERE day = ? RETURNING name", [day])
    return row[0] if row else None


def replace_calendar(cur: duckdb.DuckDBPyConnection, rows: list[tuple[date, bool, int]]) -> None:
    """The whole working calendar anew: (day, is_working, working_seq) per day."""
    if dialect(cur) == "postgres":
        cur.execute("DELETE FROM working_calendar")
        cur.copy_rows("working_calendar", ["day", "is_working", "working_seq"], rows)
        return
    table = pa.table({"day": pa.array([r[0] for r in rows], pa.date32()),
                      "is_working": pa.array([r[1] for r in rows], pa.bool_()),
                      "working_seq": pa.array([r[2] for r in rows], pa.int32())})
    cur.execute("DELETE FROM working_calendar")
    cur.register("calendar_rows", table)
    try:
        cur.execute("INSERT INTO working_calendar SELECT day, is_working, working_seq FROM calendar_rows")
    finally:
        cur.unregister("calendar_rows")


def _last_days_done_by(cur: duckdb.DuckDBPyConnection, today: date, working_days: list[int]) -> list[date]:
    """For each N: the last filing day from which N full working days have passed before `today`.

    Working days strictly between day X and today = (today's running count, less today itself if it
    is a working day) - X's running count. The running count never falls, so "at least N" holds
    exactly for the days up to one cut-off day: every complaint becomes a range test on filed_at.
    """
    row = fetch_one(cur, "SELECT working_seq - is_working::INTEGER FROM working_calendar WHERE day = ?", [today])
    if row is None:
        raise CalendarMissing(f"the working calendar has no row for {today}")
    done = row[0]
    picks = ", ".join("max(day) FILTER (WHERE working_seq <= ?)" for _ in working_days)
    cutoffs = fetch_one(cur, f"SELECT {picks} FROM working_calendar", [done - n for n in working_days])
    return [d or LONG_AGO for d in cutoffs]


def overdue_condition(cur: duckdb.DuckDBPyConnection, targets, today: date) -> tuple[str, list]:
    """(SQL condition on complaints alias c, parameters): true when the complaint is overdue on `today`.

    The one place the overdue rules live in SQL; the queue, its flag column and the overdue view
    all use it. Overdue means still open and: awaiting verification past the verification target
    (working days since filing); accepted and not yet given a hearing past the hearing target
    (working days since acceptance; the last change for rows from before accepted_at was kept);
    older than the resolution target (calendar days since filing); or a direction not reported
    back by its report-by date.
    """
    verify_cut, hearing_cut = _last_days_done_by(
        cur, today, [targets.verify_working_days, targets.hearing_working_days])
    resolve_cut = today - timedelta(days=targets.resolve_days + 1)
    open_statuses = sorted(OPEN_STATUSES)
    sql = (
        "coalesce(c.status IN (" + _marks(open_statuses) + ") AND ("
        f"(c.status IN ({_marks(VERIFYING)}) AND c.filed_at < ?)"
        " OR (c.status = ? AND coalesce(c.accepted_at, c.updated_at) < ?)"
        " OR c.filed_at < ?"
        " OR EXISTS (SELECT 1 FROM directions od WHERE od.complaint_id = c.id"
        " AND od.reported_at IS NULL AND od.report_by < ?)), false)"
    )
    params = [*open_statuses, *VERIFYING, _start_of(verify_cut + timedelta(days=1)),
              Status.ACCEPTED, _start_of(hearing_cut + timedelta(days=1)),
              _start_of(resolve_cut + timedelta(days=1)), today]
    return sql, params


def overdue_by_department(cur: duckdb.DuckDBPyConnection, scope: tuple[str, list], overdue: tuple[str, list],
                          today: date, buckets: tuple[tuple[int, int | None], ...]) -> list[tuple]:
    """(department_code, name_en, name_hi, count, [count per age bucket], oldest tracking number,
    oldest age in days) of overdue complaints within the scope, most overdue first."""
    scope_sql, scope_params = scope
    overdue_sql, overdue_params = overdue
    bucket_sql, bucket_params = [], []
    for first, last in buckets:
        if last is None:
            bucket_sql.append("count(*) FILTER (WHERE o.age >= ?)")
            bucket_params.append(first)
        else:
            bucket_sql.append("count(*) FILTER (WHERE o.age BETWEEN ? AND ?)")
            bucket_params += [first, last]
    sql = f"""
        WITH o AS (
            SELECT c.department_code, c.tracking_no, c.filed_at, {age_days(cur)} AS age
            FROM complaints c WHERE ({scope_sql}) AND ({overdue_sql}))
        SELECT o.department_code, d.name_en, d.name_hi, count(*) AS n,
               {", ".join(bucket_sql)}, {_OLDEST[dialect(cur)]}, max(o.age)
        FROM o LEFT JOIN departments d ON d.code = o.department_code
        GROUP BY o.department_code, d.name_en, d.name_hi
        ORDER BY n DESC, o.department_code NULLS LAST"""
    rows = cur.execute(sql, [today, *scope_params, *overdue_params, *bucket_params]).fetchall()
    k = len(buckets)
    return [(r[0], r[1], r[2], r[3], list(r[4:4 + k]), r[4 + k], r[5 + k]) for r in rows]
