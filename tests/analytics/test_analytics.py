"""Analytics figures: the filters and their URL form, the "<5" rule, and every headline number checked against the queue and an independent count.

The figures over a seeded district run on DuckDB and on PostgreSQL (the `district` fixture's two
parameters)."""
from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from lib.analytics import figures
from lib.casework import actions, deadlines, queue
from lib.hearings import booking
from lib.staff import signin
from lib.analytics.cache import MinuteCache
from lib.analytics.figures import AnalyticsFilters, Grain, KnownCodes, PageState
from lib.casework.steps import Citizen
from lib.core.complaints import DISPOSED_STATUSES, OPEN_STATUSES, Status
from lib.core.config import load_settings
from lib.core.lifecycle import CaseEvent, Feedback
from lib.db import analytics as analytics_db
from lib.ops.seed import seed_complaints
from lib.ops.startup import open_portal_database
from tests.conftest import ENGINES, REWARI_TEHSIL, REWARI_TOWN

IST = deadlines.IST
ROOT = Path(__file__).resolve().parents[2]
FACTS_SQL = (ROOT / "lib" / "db" / "migrations" / "008_complaint_facts.sql").read_text(encoding="utf-8")
TODAY = deadlines.today_in_ist()
SOLVED = {Status.RESOLVED, Status.CLOSED}
KNOWN = KnownCodes(tehsils=frozenset({414, 415}), departments=frozenset({"PHED", "PWD"}),
                   categories=frozenset({"WATER", "ROAD"}), towns=frozenset({REWARI_TOWN}))


# ---- Filters and the URL ----

def test_default_period_is_the_last_twelve_months_up_to_today():
    f = figures.default_filters(TODAY)
    assert f.filed_to == TODAY and (f.filed_to - f.filed_from).days == figures.DEFAULT_DAYS - 1
    start, end = f.window()
    assert start == deadlines.start_of_day(f.filed_from) and end == deadlines.start_of_day(TODAY + timedelta(days=1))


def test_a_reversed_period_means_the_same_days():
    f = AnalyticsFilters(filed_from=date(2026, 3, 1), filed_to=date(2026, 1, 1))
    assert (f.filed_from, f.filed_to) == (date(2026, 1, 1), date(2026, 3, 1))


def test_the_page_state_survives_a_round_trip_through_the_url():
    state = PageState(AnalyticsFilters(date(2025, 4, 1), date(2025, 9, 30), 414, "PHED", "WATER"),
                      grain=Grain.MONTH, drill_tehsil=415, town_lgd=REWARI_TOWN)
    params = figures.state_to_params(state)
    assert params == {"from": "2025-04-01", "to": "2025-09-30", "tehsil": "414", "dept": "PHED", "cat": "WATER",
                      "by": "month", "drill": "415", "town": str(REWARI_TOWN)}
    assert figures.state_from_params(params, TODAY, KNOWN) == state


def test_a_link_always_names_its_period_and_leaves_out_what_is_not_chosen():
    params = figures.state_to_params(PageState(figures.default_filters(TODAY)))
    assert params == {"from": (TODAY - timedelta(days=364)).isoformat(), "to": TODAY.isoformat()}


@pytest.mark.parametrize("params", [
    {"from": "yesterday", "to": "2999-01-01", "tehsil": "999", "dept": "X'; DROP TABLE complaints; --",
     "cat": "NOPE", "by": "year", "drill": "abc", "town": "1"},
    {"from": "2001-01-01", "tehsil": ["414", "bad"]},
    {},
])
def test_a_damaged_link_opens_the_default_view(params):
    state = figures.state_from_params(params, TODAY, KNOWN)
    default = figures.default_filters(TODAY)
    assert state.filters.filed_to == TODAY and state.filters.filed_from == default.filed_from
    assert state.filters.department_code is None and state.filters.category_code is None
    assert state.grain == Grain.WEEK and state.drill_tehsil is None and state.town_lgd is None
    assert state.filters.tehsil_lgd is None


def test_a_link_with_only_a_later_start_keeps_a_valid_period():
    state = figures.state_from_params({"from": TODAY.isoformat()}, TODAY, KNOWN)
    assert state.filters.filed_from == state.filters.filed_to == TODAY


# ---- The "<5" rule ----

@pytest.mark.parametrize("count, shown", [(0, 0), (1, "<5"), (4, "<5"), (5, 5), (7, 5), (8, 10), (120, 120),
                                          (122, 120), (123, 125)])
def test_small_area_counts_show_as_less_than_five_or_rounded_to_five(count, shown):
    assert figures.shown_count(count) == shown


def test_suppression_keeps_other_columns_and_tables_show_text():
    frame = pd.DataFrame({"name": ["A", "B", "C"], "received": [3, 0, 12], "pending": [1, 0, 7]})
    shown = figures.suppress_small(frame, ("received", "pending"))
    assert list(shown["received"]) == ["<5", 0, 10] and list(shown["pending"]) == ["<5", 0, 5]
    assert list(frame["received"]) == [3, 0, 12]          # the input is untouched
    table = figures.labelled(shown, {"name": "Village", "received": "Received"})
    assert list(table.columns) == ["Village", "Received"] and list(table["Received"]) == ["<5", "0", "10"]
    csv = figures.csv_bytes(table)
    assert csv.startswith(b"\xef\xbb\xbf") and b"A,<5" in csv and b",3" not in csv and b",12" not in csv


# ---- Figures over a seeded district, checked another way ----

@pytest.fixture(scope="module", params=ENGINES)
def district(request, tmp_path_factory):
    """2000 seeded complaints, plus real actions through the lifecycle: resolutions (with an
    officer's remark beside them), feedback of every kind (one reopens), and hearings held and
    called off, so that every figure has something to count. Once on DuckDB, once on PostgreSQL."""
    folder = tmp_path_factory.mktemp("analytics")
    target = str(folder / "portal.duckdb")
    if request.param == "postgres":
        cluster = request.getfixturevalue("pg_cluster")
        target = cluster.database(template=request.getfixturevalue("pg_template"))
        request.addfinalizer(lambda: cluster.drop(target))
    settings = load_settings({}, env={"ESACHIVALAYA_DB": target, "ESACHIVALAYA_DATA_DIR": str(folder),
                                      "ESACHIVALAYA_DEMO": "0"})
    con = open_portal_database(settings)
    signin.create_demo_users(con)
    seed_complaints(con, 2000, random_seed=3)
    dc = signin.active_user(con, "dc_rewari")

    def recent(status: Status, n: int, *, resolved_now: bool = False) -> list[tuple]:
        # Without an answer yet: which seeded complaints are the most recent depends on today's date,
        # and a seeded citizen may already have answered one of them (a second answer is refused).
        with con.cursor() as cur:
            return cur.execute("SELECT id, version, tracking_no, mobile FROM complaints WHERE status = ?"
                               " AND (resolved_at IS NOT NULL OR NOT ?)"
                               " AND id NOT IN (SELECT complaint_id FROM feedback) ORDER BY filed_at DESC LIMIT ?",
                               [str(status), resolved_now, n]).fetchall()

    for cid, version, *_ in recent(Status.ACTION_REPORTED, 8):
        actions.resolve(con, dc, cid, version, "Work checked on site", track_url="http://x/track")
    answers = [Feedback.SOLVED, Feedback.SOLVED, Feedback.PARTLY, Feedback.NOT_SOLVED, Feedback.NOT_SOLVED]
    for (cid, version, tracking_no, mobile), answer in zip(recent(Status.RESOLVED, 5, resolved_now=True), answers):
        actions.record_feedback(con, Citizen(tracking_no, mobile), cid, version, answer)
    scheduled = recent(Status.HEARING_SCHEDULED, 5)
    for cid, version, *_ in scheduled[:2]:
        booking.cancel_hearing(con, dc, cid, version, "Citizen did not come")
    # Seeded hearings still to come cannot be marked held yet: hear two accepted complaints at once
    # (a hearing scheduled without a slot).
    for cid, version, *_ in recent(Status.ACCEPTED, 2):
        done = booking.schedule_hearing(con, dc, cid, version)
        booking.record_hearing(con, dc, cid, done.version, "Heard both sides")
    keep_facts(con)
    yield con, dc
    con.close()


def keep_facts(con) -> None:
    """Bring the per-complaint facts up to date with the history, as the lifecycle actions keep
    them (the casework side of issue #14): migration 008's backfill, which counts from the history
    exactly what these tests count again in Python. A no-op where the actions already keep them."""
    con.execute(FACTS_SQL)


def raw_district(con):
    """Every complaint and every history entry, read plainly, for counting in Python."""
    with con.cursor() as cur:
        complaints = cur.execute(
            "SELECT id, filed_at, status, department_code, tehsil_lgd, place_lgd, ward, category_code,"
            " resolved_at, accepted_at FROM complaints").fetchall()
        events = cur.execute("SELECT complaint_id, happened_at, event, from_status, to_status FROM complaint_events"
                             " ORDER BY id").fetchall()
    history: dict[int, list[tuple]] = {}
    for cid, at, event, frm, to in events:
        if event != CaseEvent.REMARK and frm != to:          # real changes only
            history.setdefault(cid, []).append((at, event, frm, to))
    return complaints, history


def ist_day(moment: datetime) -> date:
    return moment.astimezone(IST).date()


def selected(complaints, f: AnalyticsFilters, *, period: bool = True):
    start, end = f.window()
    return [c for c in complaints
            if (not period or start <= c[1] < end)
            and (f.tehsil_lgd is None or c[4] == f.tehsil_lgd)
            and (f.department_code is None or c[3] == f.department_code)
            and (f.category_code is None or c[7] == f.category_code)]


def solved_at(c, history):
    if c[2] not in SOLVED:
        return None
    return c[8] or max(at for at, _, _, to in history.get(c[0], []) if to == Status.RESOLVED)


FILTER_SETS = {
    "twelve months": figures.default_filters(TODAY),
    "a tehsil and a category": AnalyticsFilters(TODAY - timedelta(days=400), TODAY, REWARI_TEHSIL, None, "WATER"),
    "a department, last 90 days": AnalyticsFilters(TODAY - timedelta(days=89), TODAY, None, "PHED", None),
}


@pytest.mark.parametrize("name", FILTER_SETS)
def test_headline_figures_agree_with_the_queue_and_an_independent_count(district, name):
    con, dc = district
    f = FILTER_SETS[name]
    board = figures.load_dashboard(con, f, TODAY)
    h = board.headline

    # The queue, as the DC's office sees it, with the same filters.
    qf = queue.QueueFilters(filed_from=f.filed_from, filed_to=f.filed_to, tehsil_lgd=f.tehsil_lgd,
                            department_code=f.department_code, category_code=f.category_code)
    page = queue.load_queue(con, dc, qf, "en", TODAY)
    assert h.received == page.total > 0
    assert h.disposed == sum(n for s, n in page.status_counts.items() if s in DISPOSED_STATUSES)
    assert h.pending == sum(n for s, n in page.status_counts.items() if s in OPEN_STATUSES)
    overdue_page = queue.load_queue(con, dc, queue.QueueFilters(**{**vars(qf), "overdue": True}), "en", TODAY)
    assert h.overdue == overdue_page.total

    # The rest, counted in Python from plain rows.
    complaints, history = raw_district(con)
    rows = selected(complaints, f)
    solved = [(c, solved_at(c, history)) for c in rows if c[2] in SOLVED]
    assert h.solved == len(solved)
    on_time = [c for c, at in solved if ist_day(at) <= ist_day(c[1]) + timedelta(days=board.resolve_days)]
    assert h.solved_on_time == len(on_time)
    days = [(at - c[1]).total_seconds() / 86400 for c, at in solved]
    assert h.median_days_to_resolve == pytest.approx(statistics.median(days), abs=1e-6)
    reopened = [c for c in rows if any(e == CaseEvent.REOPENED or (frm in SOLVED and to in OPEN_STATUSES)
                                       for _, e, frm, to in history.get(c[0], []))]
    ever = [c for c in rows if c[8] is not None or c in reopened
            or any(to == Status.RESOLVED for *_, to in history.get(c[0], []))]
    assert (h.reopened, h.ever_solved) == (len(reopened), len(ever))
    assert h.on_time_rate == pytest.approx(len(on_time) / (len(solved) + h.overdue))
    assert h.disposal_rate == pytest.approx(h.disposed / h.received)

    held = sum(1 for c in rows for _, _, frm, to in history.get(c[0], [])
               if frm == Status.HEARING_SCHEDULED and to == Status.HEARD)
    # A missed hearing (the no-show entry) is counted apart from one the office called off.
    called_off = sum(1 for c in rows for _, e, frm, to in history.get(c[0], [])
                     if frm == Status.HEARING_SCHEDULED and to == Status.ACCEPTED and e != "hearing_no_show")
    no_shows = sum(1 for c in rows for _, e, _, _ in history.get(c[0], []) if e == "hearing_no_show")
    assert (board.hearings.held, board.hearings.called_off, board.hearings.no_shows) == (held, called_off, no_shows)

    # Departments add up to the district.
    depts = figures.department_view(board, "en")
    for column in ("received", "disposed", "pending", "overdue", "solved", "solved_on_time"):
        assert depts[column].sum() == getattr(h, column)
    assert depts[list(figures.AGE_COLUMNS)].to_numpy().sum() == h.pending


def test_reopenings_feedback_and_called_off_hearings_are_counted(district):
    con, _ = district
    board = figures.load_dashboard(con, AnalyticsFilters(date(2015, 1, 1), TODAY), TODAY)
    # The seeded district's own reopenings, feedback and hearings, and the fixture's, counted plainly.
    _, history = raw_district(con)
    reopened = sum(any(event == CaseEvent.REOPENED for _, event, _, _ in h) for h in history.values())
    called_off = sum(frm == Status.HEARING_SCHEDULED and to == Status.ACCEPTED and event != "hearing_no_show"
                     for h in history.values() for _, event, frm, to in h)
    with con.cursor() as cur:
        given = dict(cur.execute("SELECT answer, count(*) FROM feedback GROUP BY answer").fetchall())
    assert board.headline.reopened == reopened >= 2
    assert board.hearings.held > 0 and board.hearings.called_off == called_off >= 2
    answers = figures.feedback_view(board, "en")
    assert answers[["solved", "partly", "not_solved"]].sum().to_dict() == given
    assert given["not_solved"] >= 2 and given["partly"] >= 1


def test_places_add_up_and_small_villages_show_less_than_five(district):
    con, _ = district
    f = figures.default_filters(TODAY)
    board = figures.load_dashboard(con, f, TODAY)
    complaints, _ = raw_district(con)
    rows = selected(complaints, f)
    tehsils = figures.tehsil_view(board, "en")
    assert tehsils["received"].sum() == board.headline.received
    assert dict(zip(tehsils["tehsil_lgd"], tehsils["received"])) == dict(Counter(c[4] for c in rows))

    # Villages, towns and wards: over whole months, named from 5 complaints, rounded, the rest as "Others".
    months = figures.whole_months(f)
    assert board.small_areas == months and months.filed_from.day == 1
    assert (months.filed_to + timedelta(days=1)).day == 1 and months.filed_to >= f.filed_to
    wide = selected(complaints, months)
    villages = figures.village_view(board, REWARI_TEHSIL, "en")
    expected = Counter(c[5] for c in wide if c[4] == REWARI_TEHSIL)
    named = {p: figures.shown_count(n) for p, n in expected.items() if n >= 5}
    assert dict(zip(villages["place_lgd"], villages["received"])) == {**named, 0: villages["received"].iloc[-1]}
    assert villages["name"].iloc[-1] == "Others"
    assert villages["received"].iloc[-1] == figures.shown_count(sum(n for n in expected.values() if n < 5))
    assert not any(isinstance(v, int) and (0 < v < 5 or v % 5) for v in villages["received"])

    wards = figures.ward_view(board, REWARI_TOWN, 32)
    assert list(wards["ward"]) == list(range(1, 33))
    expected = Counter(c[6] for c in wide if c[5] == REWARI_TOWN)
    assert list(wards["received"]) == [figures.shown_count(expected.get(w, 0)) for w in range(1, 33)]

    heat = figures.ward_category_view(board, REWARI_TOWN, 32, "en")
    assert list(heat.columns) == list(range(1, 33))
    assert not any(isinstance(v, int) and (0 < v < 5 or v % 5) for v in heat.to_numpy().ravel())

    top = figures.top_villages(board, "en")
    pending = Counter(c[5] for c in wide if c[2] in OPEN_STATUSES)
    kinds = dict(zip(board.names["places"]["place_lgd"], board.names["places"]["kind"]))
    big = {p for p, n in pending.items() if kinds[p] == "village" and n >= 5}
    assert len(top) == min(len(big), figures.TOP_VILLAGES) and set(top["place_lgd"]) <= big
    assert all(v != "<5" and v % 5 == 0 for v in top["pending"])


@pytest.mark.parametrize("grain", list(Grain))
def test_received_and_disposed_over_time_agree_with_a_count_in_python(district, grain):
    con, _ = district
    f = AnalyticsFilters(TODAY - timedelta(days=120), TODAY)
    flow = figures.load_flow(con, f, grain)
    complaints, history = raw_district(con)
    start, end = f.window()

    def disposed_at(c):
        if c[2] in SOLVED:
            return solved_at(c, history)
        if c[2] == Status.REJECTED:
            return max(at for at, _, _, to in history[c[0]] if to == Status.REJECTED)
        return None

    def bucket(moment):
        day = ist_day(moment)
        return day - timedelta(days=day.weekday()) if grain == Grain.WEEK else day.replace(day=1)

    received = Counter(bucket(c[1]) for c in complaints if start <= c[1] < end)
    disposed = Counter(bucket(d) for c in complaints if (d := disposed_at(c)) and start <= d < end)
    backlog = sum(1 for c in complaints if c[1] < start and ((d := disposed_at(c)) is None or d >= start))
    frame = flow.buckets
    days = [d.date() for d in frame["bucket"]]
    assert flow.backlog_at_start == backlog
    assert dict(zip(days, frame["received"])) == {d: received.get(d, 0) for d in days}
    assert dict(zip(days, frame["disposed"])) == {d: disposed.get(d, 0) for d in days}
    assert sum(received.values()) == frame["received"].sum()
    # The backlog line ends at what is open now among complaints filed up to the end.
    open_now = sum(1 for c in complaints if c[1] < end and c[2] in OPEN_STATUSES)
    assert frame["backlog"].iloc[-1] == open_now
    assert days == sorted(days) and len(set(days)) == len(days)


def test_an_empty_selection_gives_zeros_not_errors(district):
    con, _ = district
    f = AnalyticsFilters(date(2015, 1, 1), date(2015, 1, 31))
    board = figures.load_dashboard(con, f, TODAY)
    assert board.headline.received == 0 and board.headline.on_time_rate is None
    assert board.headline.median_days_to_resolve is None and board.hearings.median_days_to_hearing is None
    assert figures.tehsil_view(board, "hi").empty and figures.top_villages(board, "hi").empty
    assert list(figures.ward_view(board, REWARI_TOWN, 32)["received"]) == [0] * 32
    flow = figures.load_flow(con, f, Grain.MONTH)
    assert list(flow.buckets["received"]) == [0]


def test_a_no_show_is_counted_apart_from_hearings_called_off(district):
    con, _ = district
    filters = AnalyticsFilters(date(2015, 1, 1), TODAY)
    before = figures.load_dashboard(con, filters, TODAY).hearings
    with con.cursor() as cur:          # the entry the hearing desk writes when the citizen does not come
        cid = cur.execute("SELECT id FROM complaints WHERE status = 'accepted' LIMIT 1").fetchall()[0][0]
        cur.execute("INSERT INTO complaint_events VALUES (nextval('event_seq'), ?, now(), 'dc_rewari',"
                    " 'hearing_no_show', 'hearing_scheduled', 'accepted', NULL, true)", [cid])
    keep_facts(con)
    try:
        after = figures.load_dashboard(con, filters, TODAY).hearings
        assert (after.no_shows, after.called_off, after.held) == (before.no_shows + 1, before.called_off, before.held)
    finally:
        with con.cursor() as cur:
            cur.execute("DELETE FROM complaint_events WHERE event = 'hearing_no_show' AND complaint_id = ?", [cid])
            cur.execute("UPDATE complaints SET hearings_no_show = hearings_no_show - 1 WHERE id = ?", [cid])


# ---- Figures at most a minute old ----

def test_figures_are_computed_at_most_once_a_minute_per_filter_set(district, monkeypatch):
    con, _ = district
    asked = Counter()
    for name in ("headline_by_department", "flow_by_period"):
        real = getattr(analytics_db, name)
        monkeypatch.setattr(analytics_db, name, lambda *a, _real=real, _name=name, **k: asked.update([_name])
                            or _real(*a, **k))
    clock = [datetime(2026, 11, 30, 10, 15, 20, tzinfo=IST)]
    store = MinuteCache(clock=lambda: clock[0])
    f = figures.default_filters(TODAY)
    first = figures.cached_dashboard(store, con, f, TODAY)
    flow = figures.cached_flow(store, con, f, Grain.WEEK)
    assert first.computed_at.strftime("%H:%M") == "10:15"
    clock[0] += timedelta(seconds=59)                    # 10:16:19, still the same minute-old figures
    assert figures.cached_dashboard(store, con, f, TODAY) is first
    assert figures.cached_flow(store, con, f, Grain.WEEK) is flow
    assert asked == {"headline_by_department": 1, "flow_by_period": 1}
    # Other filters are other figures.
    figures.cached_dashboard(store, con, replace(f, department_code="PHED"), TODAY)
    figures.cached_flow(store, con, f, Grain.MONTH)
    assert asked == {"headline_by_department": 2, "flow_by_period": 2}
    clock[0] += timedelta(seconds=1)                     # a minute after the first: computed again
    fresh = figures.cached_dashboard(store, con, f, TODAY)
    assert fresh is not first and fresh.computed_at == clock[0] and fresh.headline == first.headline
    assert asked["headline_by_department"] == 3

