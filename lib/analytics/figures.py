"""The district at a glance: figures as records and the small tables the page and its charts show.

Every number comes from lib.db.analytics, computed in DuckDB over the whole data set; this module
only names, shapes and protects the aggregates it gets back (tens to a few thousand rows). Filters
and the URL live in lib.analytics.filters, the "<5" rule in lib.analytics.suppression (read it
before changing any village, town or ward view).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from lib.analytics import replica, suppression
from lib.analytics.cache import MinuteCache
from lib.analytics.filters import (  # noqa: F401  (the page, bench and tests reach them through here)
    DEFAULT_DAYS, EARLIEST_DAY, PARAMS, AnalyticsFilters, Grain, KnownCodes, PageState, default_filters,
    state_from_params, state_to_params, whole_months)
from lib.analytics.suppression import (  # noqa: F401
    SMALL_GROUP, SUPPRESSED, is_suppressed, shown_count, suppress_small)
from lib.casework import deadlines
from lib.core.complaints import Status
from lib.core.i18n import name_in, t
from lib.core.lifecycle import Feedback
from lib.db import analytics as analytics_db

TOP_VILLAGES = 10
VILLAGE_BARS = 20                  # villages named in the village chart; the rest are "Others"
NO_DEPARTMENT = "-"                # the department code of complaints no department has yet


# ---- The figures ----

def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Headline:
    """The headline figures of complaints filed in the period (a cohort: `disposed` and
    `pending` say where those complaints stand now)."""
    received: int
    disposed: int
    pending: int
    overdue: int                     # open now and past a deadline (lib.deadlines' rules)
    solved: int                      # resolved or closed now
    solved_on_time: int              # of those, resolved within the resolution target
    reopened: int                    # reopened at least once
    ever_solved: int                 # resolved at least once (reopened or not)
    median_days_to_resolve: float | None

    @property
    def disposal_rate(self) -> float | None:
        return _rate(self.disposed, self.received)

    @property
    def on_time_rate(self) -> float | None:
        """Resolved on time ÷ (resolved + still open past the deadline): a backlog of overdue
        complaints cannot hide behind fast closures of easy ones."""
        return _rate(self.solved_on_time, self.solved + self.overdue)

    @property
    def reopen_rate(self) -> float | None:
        return _rate(self.reopened, self.ever_solved)


@dataclass(frozen=True)
class Hearings:
    """Hearings of complaints filed in the period, read from the complaints' history: held,
    citizen did not come (the hearing desk's no-show entry), and called off otherwise."""
    held: int
    called_off: int
    no_shows: int
    median_days_to_hearing: float | None


@dataclass(frozen=True)
class Dashboard:
    """All figures for one filter set, small enough to cache."""
    filters: AnalyticsFilters
    today: date
    computed_at: datetime
    resolve_days: int
    headline: Headline
    hearings: Hearings
    departments: pd.DataFrame        # one row per department: counts, statuses, timeliness, ageing
    feedback: pd.DataFrame           # department_code, answer, answers
    names: dict[str, pd.DataFrame] = field(repr=False)
    # Exact; shown only through the views below. Tehsil rows cover `filters`; village, town and
    # ward rows cover `small_areas`, the same filters over whole calendar months.
    place_counts: pd.DataFrame = field(repr=False)
    small_areas: AnalyticsFilters | None = None
    # channel ('web' or 'api:<partner>'), received, disposed, pending
    channels: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    # ---- appeals (issue #15) ----
    # department_code, appeals, pending, sent_back, upheld (exact: a department is many villages)
    appeals: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def appeal_count(self) -> int:
        """Appeals on the period's complaints, whatever their decision."""
        return int(self.appeals["appeals"].sum()) if len(self.appeals) else 0


@dataclass(frozen=True)
class Flow:
    """Received and disposed per week or month, and the backlog at the end of each."""
    grain: Grain
    backlog_at_start: int
    buckets: pd.DataFrame            # bucket (date), received, disposed, backlog


def load_dashboard(con, filters: AnalyticsFilters, today: date | None = None,
                   now: datetime | None = None) -> Dashboard:
    """Every figure of the page but the flow over time; `now` is when they are said to be as of."""
    today = today or deadlines.today_in_ist()
    targets = deadlines.get_targets(con)
    start, end = filters.window()
    where = filters.where()
    with con.cursor() as cur:
        overdue = deadlines.overdue_condition(con, cur, targets, today)
        names = analytics_db.reference_names(cur)
    with replica.figures_cursor(con) as cur:      # on PostgreSQL, its DuckDB copy (lib.analytics.replica)
        by_department = analytics_db.headline_by_department(
            cur, start, end, where, overdue, today, targets.resolve_days, deadlines.AGE_BUCKETS)
        months = whole_months(filters)
        # Village and ward rows come from whole months; the period's own are needed only for tehsils.
        places = analytics_db.counts_by_place(cur, start, end, where, tehsils_only=months != filters)
        if months != filters:
            wide = analytics_db.counts_by_place(cur, *months.window(), where)
            places = pd.concat([places[places["level"] == "tehsil"], wide[wide["level"] != "tehsil"]],
                               ignore_index=True)
        feedback = analytics_db.feedback_by_department(cur, start, end, where)
        channels = analytics_db.counts_by_channel(cur, start, end, where)
        appeals = analytics_db.appeals_by_department(cur, start, end, where)       # appeals (issue #15)
    total = by_department[by_department["is_total"]]
    row = total.iloc[0] if len(total) else None

    def value(name: str) -> int:
        return int(row[name]) if row is not None and pd.notna(row[name]) else 0

    def median(name: str) -> float | None:
        return float(row[name]) if row is not None and pd.notna(row[name]) else None

    headline = Headline(
        received=value("received"), disposed=value("disposed"), pending=value("pending"),
        overdue=value("overdue"), solved=value("solved"), solved_on_time=value("solved_on_time"),
        reopened=value("reopened"), ever_solved=value("ever_solved"),
        median_days_to_resolve=median("median_days_to_resolve"))
    hearings = Hearings(held=value("hearings_held"), called_off=value("hearings_called_off"),
                        no_shows=value("hearings_no_show"),
                        median_days_to_hearing=median("median_days_to_hearing"))
    departments = by_department[~by_department["is_total"]].drop(columns="is_total").reset_index(drop=True)
    departments["department_code"] = departments["department_code"].fillna(NO_DEPARTMENT)
    feedback["department_code"] = feedback["department_code"].fillna(NO_DEPARTMENT)
    return Dashboard(filters=filters, today=today, computed_at=now or datetime.now(deadlines.IST),
                     resolve_days=targets.resolve_days, headline=headline, hearings=hearings,
                     departments=departments, feedback=feedback, names=names, place_counts=places,
                     small_areas=months, channels=channels, appeals=appeals)


def cached_dashboard(cache: MinuteCache, con, filters: AnalyticsFilters, today: date) -> Dashboard:
    """The figures for these filters, computed at most once a minute (lib.analytics.cache)."""
    board, _ = cache.get(("dashboard", filters, today), lambda moment: load_dashboard(con, filters, today, moment))
    return board


def cached_flow(cache: MinuteCache, con, filters: AnalyticsFilters, grain: Grain) -> Flow:
    flow, _ = cache.get(("flow", filters, Grain(grain)), lambda moment: load_flow(con, filters, grain))
    return flow


def load_flow(con, filters: AnalyticsFilters, grain: Grain) -> Flow:
    start, end = filters.window()
    with replica.figures_cursor(con) as cur:
        backlog, frame = analytics_db.flow_by_period(cur, start, end, filters.where(), Grain(grain).value)
    # Every bucket of the period, quiet ones included, so the line does not skip weeks.
    first = pd.Timestamp(filters.filed_from)
    first = first - pd.Timedelta(days=first.weekday()) if grain == Grain.WEEK else first.replace(day=1)
    buckets = pd.date_range(first, pd.Timestamp(filters.filed_to), freq="W-MON" if grain == Grain.WEEK else "MS")
    frame["bucket"] = pd.to_datetime(frame["bucket"])
    frame = (frame.set_index("bucket").reindex(buckets, fill_value=0).rename_axis("bucket").reset_index())
    frame[["received", "disposed"]] = frame[["received", "disposed"]].astype("int64")
    frame["backlog"] = backlog + (frame["received"] - frame["disposed"]).cumsum()
    return Flow(grain=Grain(grain), backlog_at_start=backlog, buckets=frame)


# ---- Views: the small tables the page and the charts show ----

def _name(language: str, en, hi) -> str:
    """A reference name in the language; a missing Hindi name arrives from pandas as NaN (truthy),
    which would leave the Hindi page and its CSV blank where the Latin name belongs."""
    return name_in(language, en if isinstance(en, str) else None, hi if isinstance(hi, str) and hi.strip() else None)


def _named(frame: pd.DataFrame, names: pd.DataFrame, key: str, language: str, missing: str) -> pd.Series:
    merged = frame[[key]].merge(names, on=key, how="left")
    return pd.Series([_name(language, en, hi) if isinstance(en, str) else missing
                      for en, hi in zip(merged["name_en"], merged["name_hi"])], index=frame.index)


def department_view(board: Dashboard, language: str) -> pd.DataFrame:
    """Per department, most complaints first: name, received, disposed, pending, overdue,
    on_time_rate (and on_time_percent, rounded), median_days_to_resolve (and median_days,
    rounded), counts per status (STATUS_COLUMNS) and pending work by age (AGE_COLUMNS)."""
    frame = board.departments.copy()
    frame.insert(0, "name", _named(frame, board.names["departments"], "department_code", language,
                                   t(language, "analytics.no_department")))
    frame["on_time_rate"] = [_rate(a, b + c) for a, b, c in zip(frame["solved_on_time"], frame["solved"],
                                                                 frame["overdue"])]
    frame["on_time_percent"] = [None if r is None else round(100 * r, 1) for r in frame["on_time_rate"]]
    frame["median_days"] = frame["median_days_to_resolve"].round(1)
    return frame


def appeals_view(board: Dashboard, language: str) -> pd.DataFrame:
    """Appeals (issue #15) per department, most first: name, appeals, pending, sent_back, upheld."""
    frame = board.appeals.copy()
    if not len(frame):
        return pd.DataFrame(columns=["name", "appeals", "pending", "sent_back", "upheld"])
    frame["department_code"] = frame["department_code"].fillna(NO_DEPARTMENT)
    frame.insert(0, "name", _named(frame, board.names["departments"], "department_code", language,
                                   t(language, "analytics.no_department")))
    return frame[["name", "appeals", "pending", "sent_back", "upheld"]].reset_index(drop=True)


def tehsil_view(board: Dashboard, language: str) -> pd.DataFrame:
    """Per tehsil: tehsil_lgd, name, received, pending (exact: a tehsil is many villages)."""
    counts = board.place_counts
    frame = counts[counts["level"] == "tehsil"][["tehsil_lgd", "received", "pending"]].copy()
    frame["tehsil_lgd"] = frame["tehsil_lgd"].astype("int64")
    frame.insert(1, "name", _named(frame, board.names["tehsils"], "tehsil_lgd", language, "—"))
    return frame.sort_values(["received", "name"], ascending=[False, True]).reset_index(drop=True)


def _places(board: Dashboard, language: str) -> pd.DataFrame:
    counts = board.place_counts
    frame = counts[counts["level"] == "place"][["place_lgd", "received", "pending"]].copy()
    frame["place_lgd"] = frame["place_lgd"].astype("int64")
    frame = frame.merge(board.names["places"], on="place_lgd", how="left")
    frame.insert(1, "name", [_name(language, en, hi) for en, hi in zip(frame["name_en"], frame["name_hi"])])
    return frame


def village_view(board: Dashboard, tehsil_lgd: int, language: str, limit: int | None = None,
                 order: str = "received") -> pd.DataFrame:
    """Villages and towns of one tehsil: place_lgd, name, kind, received, pending as shown values
    (lib.analytics.suppression.fold_places): those with 5 complaints or more by name (at most
    `limit`), the rest as one "Others" row (place_lgd 0)."""
    frame = _places(board, language)
    frame = frame[frame["tehsil_lgd"] == tehsil_lgd]
    return suppression.fold_places(frame[["place_lgd", "name", "kind", "received", "pending"]],
                                   t(language, "analytics.place.others"), limit, order)


def top_villages(board: Dashboard, language: str, limit: int = TOP_VILLAGES) -> pd.DataFrame:
    """The villages (not towns) with the most pending complaints: place_lgd, name, tehsil,
    pending, received as shown values. Only villages with 5 pending or more are named, ranked by
    the shown (rounded) count, so the list says nothing about smaller ones."""
    frame = _places(board, language)
    frame = frame[(frame["kind"] == "village") & (frame["pending"] >= SMALL_GROUP)]
    frame = suppress_small(frame, ("pending", "received"))
    frame["rank"] = [suppression.rank_value(v) for v in frame["pending"]]
    frame["second"] = [suppression.rank_value(v) for v in frame["received"]]
    frame = frame.sort_values(["rank", "second", "name"], ascending=[False, False, True]).head(limit)
    frame["tehsil"] = _named(frame, board.names["tehsils"], "tehsil_lgd", language, "—")
    return frame[["place_lgd", "name", "tehsil", "pending", "received"]].reset_index(drop=True)


def towns(board: Dashboard, language: str, tehsil_lgd: int | None = None) -> list[tuple[int, str, int]]:
    """(lgd code, name, wards) of the district's towns (of one tehsil), by name."""
    places = board.names["places"]
    chosen = places[(places["kind"] == "town") & places["wards"].notna()]
    if tehsil_lgd is not None:
        chosen = chosen[chosen["tehsil_lgd"] == tehsil_lgd]
    found = [(int(p), _name(language, en, hi), int(w))
             for p, en, hi, w in zip(chosen["place_lgd"], chosen["name_en"], chosen["name_hi"], chosen["wards"])]
    return sorted(found, key=lambda town: town[1])


def ward_view(board: Dashboard, town_lgd: int, wards: int) -> pd.DataFrame:
    """Wards 1..`wards` of a town, every one of them (quiet wards show 0): ward, received,
    pending; "<5" for small groups."""
    counts = board.place_counts
    rows = counts[(counts["level"] == "ward") & (counts["place_lgd"] == town_lgd)]
    frame = pd.DataFrame({"ward": range(1, wards + 1)})
    found = rows[["ward", "received", "pending"]].astype("int64")
    frame = frame.merge(found, on="ward", how="left").fillna(0)
    frame[["received", "pending"]] = frame[["received", "pending"]].astype("int64")
    return suppress_small(frame, ("received", "pending"))


def ward_category_view(board: Dashboard, town_lgd: int, wards: int, language: str) -> pd.DataFrame:
    """Complaints received per category (rows, by name) and ward (columns 1..`wards`) of a town;
    "<5" for small groups. Only categories with complaints in the town are rows."""
    counts = board.place_counts
    rows = counts[(counts["level"] == "ward_category") & (counts["place_lgd"] == town_lgd)]
    table = rows.pivot_table(index="category_code", columns="ward", values="received", aggfunc="sum", fill_value=0)
    table = table.reindex(columns=range(1, wards + 1), fill_value=0)
    order = [c for c in board.names["categories"]["category_code"] if c in table.index]
    table = table.reindex(order)
    names = board.names["categories"].set_index("category_code")
    table.index = [_name(language, names.at[c, "name_en"], names.at[c, "name_hi"]) for c in table.index]
    table.columns = [int(c) for c in table.columns]
    return suppress_small(table, table.columns)


def feedback_view(board: Dashboard, language: str) -> pd.DataFrame:
    """Per department (rows, by name): answers solved / partly / not_solved (columns)."""
    frame = board.feedback
    if frame.empty:
        return pd.DataFrame(columns=["name", *[a.value for a in Feedback]])
    table = frame.pivot_table(index="department_code", columns="answer", values="answers", aggfunc="sum",
                              fill_value=0, dropna=False)
    table = table.reindex(columns=[a.value for a in Feedback], fill_value=0).reset_index()
    table.columns.name = None
    table.insert(0, "name", _named(table, board.names["departments"], "department_code", language,
                                   t(language, "analytics.no_department")))
    return table.drop(columns="department_code")


STATUS_COLUMNS = tuple(f"status_{s.value}" for s in Status)
AGE_COLUMNS = tuple(f"age_{i}" for i in range(len(deadlines.AGE_BUCKETS)))



# ---- Tables for people: headers in the reader's language, and CSV files ----

def labelled(frame: pd.DataFrame, headers: dict[str, str]) -> pd.DataFrame:
    """The chosen columns, in the order given, under the given headers. Columns holding "<5"
    become text, so a table and its CSV show exactly what the charts show."""
    table = frame[list(headers)].copy()
    for column in headers:
        if table[column].dtype == object and table[column].map(lambda v: v == SUPPRESSED).any():
            table[column] = table[column].astype(str)
    return table.rename(columns=headers)


def csv_bytes(table: pd.DataFrame, index: bool = False) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel shows Devanagari."""
    return table.to_csv(index=index).encode("utf-8-sig")
