"""The benchmark's yardstick: the analytics page's headline figures, and the same figures computed the
way many dashboards do it, reading whole tables into pandas and grouping there. The benchmark fails
when the two disagree; the time between them is the portal's lead."""
from __future__ import annotations

import math
import os
import time
from dataclasses import fields
from datetime import date

import numpy as np
import pandas as pd

from lib.analytics import figures
from lib.analytics.figures import AnalyticsFilters, Headline
from lib.casework import deadlines
from lib.core.complaints import DISPOSED_STATUSES, OPEN_STATUSES, Status
from lib.core.lifecycle import CaseEvent
from lib.db.casework import deadlines as deadlines_db
from lib.db.ops import bench as bench_db

MEDIAN_TOLERANCE = 1e-9                             # relative; every count must match exactly
COMMON_WAY_GB_PER_MILLION = 3.5                     # measured peak of the common pandas read, per million
IST_NAME = "Asia/Kolkata"
SOLVED = [str(Status.RESOLVED), str(Status.CLOSED)]
OPEN = sorted(str(s) for s in OPEN_STATUSES)


def headline_as_the_page(con, filters: AnalyticsFilters, today: date) -> Headline:
    """What the analytics page shows (it caches lib.analytics.load_dashboard per filter set)."""
    return figures.load_dashboard(con, filters, today).headline


def baseline_headline(con, filters: AnalyticsFilters, today: date, *, careful: bool = False,
                      timings: dict | None = None) -> Headline:
    """The same figures the way dashboards do it: read the tables into pandas, then filter and
    group (carefully: fewer columns, categoricals; see lib.db.bench.read_tables_whole).
    `timings`, if given, gets the seconds spent reading (read_s) and computing (group_s)."""
    started = time.perf_counter()
    targets = deadlines.get_targets(con)
    with con.cursor() as cur:
        tables = bench_db.read_tables_whole(cur, careful=careful)
        local = [day for day, _ in deadlines_db.local_holidays(cur)]
    read = time.perf_counter()
    headline = headline_in_pandas(tables, filters, today, targets, local)
    if timings is not None:
        timings.update(read_s=read - started, group_s=time.perf_counter() - read)
    return headline


def fits_the_common_way(complaints: int) -> bool:
    """Whether reading the tables the common way fits in half of this machine's memory."""
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    return complaints / 1e6 * COMMON_WAY_GB_PER_MILLION < memory_gb / 2


def _distinct(a: pd.Series, b: pd.Series) -> pd.Series:
    """SQL's IS DISTINCT FROM: two missing values are the same, a missing one differs from any."""
    if isinstance(a.dtype, pd.CategoricalDtype):      # same category list: missing is code -1
        return pd.Series(a.cat.codes.to_numpy() != b.cat.codes.to_numpy(), index=a.index)
    return a.fillna("") != b.fillna("")


def _local_day(moments: pd.Series) -> pd.Series:
    return moments.dt.tz_convert(IST_NAME).dt.tz_localize(None).dt.floor("D")


def _due(days: pd.Series, working_days: int, local: list[date]) -> pd.Series:
    """The day `working_days` working days after each day (lib.deadlines' rule, in Python)."""
    table = {d: pd.Timestamp(deadlines.add_working_days(d.date(), working_days, local)) for d in days.dropna().unique()}
    return days.map(table)


def headline_in_pandas(tables: dict[str, pd.DataFrame], filters: AnalyticsFilters, today: date,
                       targets: deadlines.DeadlineTargets, local: list[date]) -> Headline:
    """lib.analytics' headline rules written again in pandas over whole tables (overdue from
    lib.deadlines' Python rules, not the SQL calendar), so that agreement means something."""
    start, end = filters.window()
    c = tables["complaints"]
    c = c[(c["filed_at"] >= start) & (c["filed_at"] < end)]
    for column, value in (("tehsil_lgd", filters.tehsil_lgd), ("department_code", filters.department_code),
                          ("category_code", filters.category_code)):
        if value is not None:
            c = c[c[column] == value]

    # History since the period began: real status changes only, and reopenings.
    e = tables["events"]
    e = e[(e["happened_at"] >= start) & (e["event"] != str(CaseEvent.REMARK))]
    e = e[_distinct(e["from_status"], e["to_status"])]
    reopening = (e["event"] == str(CaseEvent.REOPENED)) | (e["from_status"].isin(SOLVED) & e["to_status"].isin(OPEN))
    history = pd.DataFrame({
        "resolved_event_at": e[e["to_status"] == str(Status.RESOLVED)].groupby("complaint_id")["happened_at"].max(),
        "reopens": e[reopening].groupby("complaint_id").size()})
    c = c.merge(history, left_on="id", right_index=True, how="left")
    reopens = c["reopens"].fillna(0)

    solved_at = c["resolved_at"].fillna(c["resolved_event_at"]).where(c["status"].isin(SOLVED))
    solved = solved_at.notna()
    filed_day, today_ts = _local_day(c["filed_at"]), pd.Timestamp(today)
    on_time = solved & ((_local_day(solved_at) - filed_day) <= pd.Timedelta(days=targets.resolve_days))
    # Microseconds over a day's microseconds, as DuckDB divides, so the medians agree.
    delta_us = (solved_at[solved] - c["filed_at"][solved]).to_numpy().astype("timedelta64[us]").astype("int64")
    days_to_resolve = delta_us / 86_400_000_000.0

    is_open = c["status"].isin(OPEN)
    directions = tables["directions"]
    late = directions[directions["reported_at"].isna() & (pd.to_datetime(directions["report_by"]) < today_ts)]
    verifying = c["status"].isin([str(s) for s in deadlines.AWAITING_VERIFICATION])
    accepted_day = _local_day(c["accepted_at"].fillna(c["updated_at"]))
    overdue = is_open & (
        (verifying & (today_ts > _due(filed_day, targets.verify_working_days, local)))
        | ((c["status"] == str(Status.ACCEPTED)) & (today_ts > _due(accepted_day, targets.hearing_working_days, local)))
        | (today_ts > filed_day + pd.Timedelta(days=targets.resolve_days))
        | c["id"].isin(late["complaint_id"]))

    return Headline(
        received=len(c), disposed=int(c["status"].isin([str(s) for s in DISPOSED_STATUSES]).sum()),
        pending=int(is_open.sum()), overdue=int(overdue.sum()), solved=int(solved.sum()),
        solved_on_time=int(on_time.sum()), reopened=int((reopens > 0).sum()),
        ever_solved=int((c["resolved_at"].notna() | c["resolved_event_at"].notna() | (reopens > 0)).sum()),
        median_days_to_resolve=float(np.median(days_to_resolve)) if len(days_to_resolve) else None)


def headline_differences(ours: Headline, theirs: Headline) -> list[str]:
    """The figures that differ: counts must be equal, the median equal to 1e-9 (floating point)."""
    found = []
    for f in fields(Headline):
        a, b = getattr(ours, f.name), getattr(theirs, f.name)
        if isinstance(a, float) and isinstance(b, float):
            same = math.isclose(a, b, rel_tol=MEDIAN_TOLERANCE, abs_tol=MEDIAN_TOLERANCE)
        else:
            same = a == b
        if not same:
            found.append(f"{f.name}: page {a!r}, pandas {b!r}")
    return found
