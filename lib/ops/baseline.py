"""The benchmark's yardstick: the analytics page's figures, and the same figures computed the way many
dashboards do it, reading whole tables into pandas and grouping there. The benchmark fails when the
two disagree; the time between them is the portal's lead.

The page reads per-complaint facts kept on the complaint row (reopenings, hearings, when it was
accepted, heard, resolved: migration 008). This baseline does not: it derives every one of them
again from the whole history (complaint_events), so equal figures also prove the facts agree with
the history they summarise.
"""
from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, fields
from datetime import date

import numpy as np
import pandas as pd

from lib.analytics import figures
from lib.analytics.figures import AnalyticsFilters, Grain, Headline, Hearings
from lib.casework import deadlines
from lib.core.complaints import DISPOSED_STATUSES, OPEN_STATUSES, Status
from lib.core.lifecycle import CaseEvent
from lib.core.states import HearingEvent
from lib.db.casework import deadlines as deadlines_db
from lib.db.ops import bench as bench_db

MEDIAN_TOLERANCE = 1e-9                             # relative; every count must match exactly
COMMON_WAY_GB_PER_MILLION = 3.5                     # measured peak of the common pandas read, per million
IST_NAME = "Asia/Kolkata"
SOLVED = [str(Status.RESOLVED), str(Status.CLOSED)]
OPEN = sorted(str(s) for s in OPEN_STATUSES)
US_PER_DAY = 86_400_000_000.0


@dataclass(frozen=True)
class FlowCounts:
    """The time view's figures, weekly: the backlog at the start, and the weeks (ISO date of their
    Monday) with complaints received or disposed, with their counts."""
    backlog_at_start: int
    received: tuple[tuple[str, int], ...]
    disposed: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class FeedbackCounts:
    """The citizens' answers: (department code, answer, how many), every pair with any, sorted."""
    answers: tuple[tuple[str, str, int], ...]


@dataclass(frozen=True)
class PageFigures:
    """What the benchmark compares: the headline, the hearings, the weekly flow and the answers."""
    headline: Headline
    hearings: Hearings
    flow: FlowCounts
    feedback: FeedbackCounts


def _weeks(frame: pd.DataFrame, column: str) -> tuple[tuple[str, int], ...]:
    rows = frame[frame[column] > 0]
    return tuple((pd.Timestamp(b).date().isoformat(), int(n)) for b, n in zip(rows["bucket"], rows[column]))


def figures_as_the_page(con, filters: AnalyticsFilters, today: date) -> PageFigures:
    """What the analytics page shows, computed afresh (the page keeps it for a minute, lib.analytics.cache)."""
    board = figures.load_dashboard(con, filters, today)
    flow = figures.load_flow(con, filters, Grain.WEEK)
    counts = FlowCounts(flow.backlog_at_start, _weeks(flow.buckets, "received"), _weeks(flow.buckets, "disposed"))
    answers = FeedbackCounts(tuple(sorted((str(d), str(a), int(n)) for d, a, n in zip(
        board.feedback["department_code"], board.feedback["answer"], board.feedback["answers"]))))
    return PageFigures(board.headline, board.hearings, counts, answers)


def baseline_figures(con, filters: AnalyticsFilters, today: date, *, careful: bool = False,
                     timings: dict | None = None) -> PageFigures:
    """The same figures the way dashboards do it: read the tables into pandas, then filter and
    group (carefully: fewer columns, categoricals; see lib.db.bench.read_tables_whole).
    `timings`, if given, gets the seconds spent reading (read_s) and computing (group_s)."""
    started = time.perf_counter()
    targets = deadlines.get_targets(con)
    with con.cursor() as cur:
        tables = bench_db.read_tables_whole(cur, careful=careful)
        local = [day for day, _ in deadlines_db.local_holidays(cur)]
    read = time.perf_counter()
    found = figures_in_pandas(tables, filters, today, targets, local)
    if timings is not None:
        timings.update(read_s=read - started, group_s=time.perf_counter() - read)
    return found


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


def _days(earlier: pd.Series, later: pd.Series) -> np.ndarray:
    """Fractional days between two columns where both are known: microseconds over a day's
    microseconds, as DuckDB divides, so that medians agree to the last bit."""
    both = earlier.notna() & later.notna()
    delta = (later[both] - earlier[both]).to_numpy().astype("timedelta64[us]").astype("int64")
    return delta / US_PER_DAY


def _median(values: np.ndarray) -> float | None:
    return float(np.median(values)) if len(values) else None


def history_facts(events: pd.DataFrame) -> pd.DataFrame:
    """Per complaint id, from its whole history (real status changes only: an internal remark
    and the citizen's feedback repeat the statuses of the action beside them, a forward keeps the
    status): when it was last resolved and last rejected, first accepted (not back from a hearing)
    and first heard; how often it was reopened (the 'reopened' entry, or any way back from
    resolved or closed to an open status), heard, missed by the citizen and called off."""
    e = events[(events["event"] != str(CaseEvent.REMARK)) & _distinct(events["from_status"], events["to_status"])]
    to, source, kind = e["to_status"], e["from_status"], e["event"]
    from_hearing = source == str(Status.HEARING_SCHEDULED)
    no_show = kind == str(HearingEvent.NO_SHOW)
    by = e["complaint_id"]

    def last(mask):
        return e[mask].groupby(by[mask])["happened_at"].max()

    def first(mask):
        return e[mask].groupby(by[mask])["happened_at"].min()

    def count(mask):
        return by[mask].value_counts()

    return pd.DataFrame({
        "resolved_event_at": last(to == str(Status.RESOLVED)),
        "rejected_event_at": last(to == str(Status.REJECTED)),
        "accepted_event_at": first((to == str(Status.ACCEPTED)) & ~from_hearing),
        "heard_event_at": first(to == str(Status.HEARD)),
        "reopens": count((kind == str(CaseEvent.REOPENED)) | (source.isin(SOLVED) & to.isin(OPEN))),
        "held": count(from_hearing & (to == str(Status.HEARD))),
        "no_shows": count(no_show),
        "called_off": count(from_hearing & (to == str(Status.ACCEPTED)) & ~no_show),
    })


def figures_in_pandas(tables: dict[str, pd.DataFrame], filters: AnalyticsFilters, today: date,
                      targets: deadlines.DeadlineTargets, local: list[date]) -> PageFigures:
    """lib.analytics' rules written again in pandas over whole tables (overdue from lib.deadlines'
    Python rules, not the SQL calendar; facts from the history, not the complaint row)."""
    start, end = filters.window()
    c = tables["complaints"]
    for column, value in (("tehsil_lgd", filters.tehsil_lgd), ("department_code", filters.department_code),
                          ("category_code", filters.category_code)):
        if value is not None:
            c = c[c[column] == value]
    c = c[c["filed_at"] < end].merge(history_facts(tables["events"]), left_on="id", right_index=True, how="left")
    flow = _flow(c, start, end)
    c = c[c["filed_at"] >= start]
    counts = c[["reopens", "held", "no_shows", "called_off"]].fillna(0)

    solved_at = c["resolved_event_at"].where(c["status"].isin(SOLVED))
    solved = solved_at.notna()
    filed_day, today_ts = _local_day(c["filed_at"]), pd.Timestamp(today)
    on_time = solved & ((_local_day(solved_at) - filed_day) <= pd.Timedelta(days=targets.resolve_days))

    is_open = c["status"].isin(OPEN)
    directions = tables["directions"]
    late = directions[directions["reported_at"].isna() & (pd.to_datetime(directions["report_by"]) < today_ts)]
    verifying = c["status"].isin([str(s) for s in deadlines.AWAITING_VERIFICATION])
    accepted_day = _local_day(c["accepted_event_at"].fillna(c["updated_at"]))
    overdue = is_open & (
        (verifying & (today_ts > _due(filed_day, targets.verify_working_days, local)))
        | ((c["status"] == str(Status.ACCEPTED)) & (today_ts > _due(accepted_day, targets.hearing_working_days, local)))
        | (today_ts > filed_day + pd.Timedelta(days=targets.resolve_days))
        | c["id"].isin(late["complaint_id"]))

    headline = Headline(
        received=len(c), disposed=int(c["status"].isin([str(s) for s in DISPOSED_STATUSES]).sum()),
        pending=int(is_open.sum()), overdue=int(overdue.sum()), solved=int(solved.sum()),
        solved_on_time=int(on_time.sum()), reopened=int((counts["reopens"] > 0).sum()),
        ever_solved=int((c["resolved_event_at"].notna() | (counts["reopens"] > 0)).sum()),
        median_days_to_resolve=_median(_days(c["filed_at"], solved_at)))
    hearings = Hearings(held=int(counts["held"].sum()), called_off=int(counts["called_off"].sum()),
                        no_shows=int(counts["no_shows"].sum()),
                        median_days_to_hearing=_median(_days(c["accepted_event_at"], c["heard_event_at"])))
    # Every answer given on the period's complaints, from the answers themselves (not the row's counts).
    given = tables["feedback"].merge(c[["id", "department_code"]], left_on="complaint_id", right_on="id")
    by_pair = given.groupby([given["department_code"].fillna(figures.NO_DEPARTMENT).astype(str),
                             given["answer"].astype(str)]).size()
    answers = FeedbackCounts(tuple(sorted((d, a, int(n)) for (d, a), n in by_pair.items() if n > 0)))
    return PageFigures(headline, hearings, flow, answers)


def _flow(c: pd.DataFrame, start, end) -> FlowCounts:
    """Weekly received (filed in the period) and disposed (in the period, whenever filed), and the
    backlog at the start: filed before it, and open then (still open, or disposed since)."""
    disposed_at = c["resolved_event_at"].where(c["status"].isin(SOLVED)).fillna(
        c["rejected_event_at"].where(c["status"] == str(Status.REJECTED)))

    def weeks(moments: pd.Series) -> tuple[tuple[str, int], ...]:
        days = _local_day(moments)
        mondays = (days - pd.to_timedelta(days.dt.day_of_week, unit="D")).dt.date
        return tuple((d.isoformat(), int(n)) for d, n in mondays.value_counts().sort_index().items())

    filed_before = c["filed_at"] < start
    backlog = filed_before & (c["status"].isin(OPEN) | (disposed_at >= start))
    return FlowCounts(backlog_at_start=int(backlog.sum()), received=weeks(c["filed_at"][~filed_before]),
                      disposed=weeks(disposed_at[(disposed_at >= start) & (disposed_at < end)]))


def differences(ours: PageFigures, theirs: PageFigures) -> list[str]:
    """The figures that differ: counts must be equal, medians equal to 1e-9 (floating point)."""
    found = []
    for part in ("headline", "hearings", "flow", "feedback"):
        a_part, b_part = getattr(ours, part), getattr(theirs, part)
        for f in fields(a_part):
            a, b = getattr(a_part, f.name), getattr(b_part, f.name)
            if isinstance(a, float) and isinstance(b, float):
                same = math.isclose(a, b, rel_tol=MEDIAN_TOLERANCE, abs_tol=MEDIAN_TOLERANCE)
            else:
                same = a == b
            if not same:
                shown = (a, b) if part not in ("flow", "feedback") or f.name == "backlog_at_start" else (
                    sorted(set(a) - set(b))[:3], sorted(set(b) - set(a))[:3])
                found.append(f"{part}.{f.name}: page {shown[0]!r}, pandas {shown[1]!r}")
    return found
