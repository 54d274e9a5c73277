"""The analytics page through AppTest: as the analyst and the DC, refused to officers and citizens, filters in the URL, and no personal column in any query it runs."""
from __future__ import annotations

import random
import re
import traceback
from datetime import timedelta
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib.analytics import cache, figures, replica
from lib.casework import actions, deadlines, steps
from lib.staff import signin
from lib.core.config import load_settings
from lib.core.i18n import t
from lib.ops import filings
from lib.ops.seed import seed_complaints
from lib.ops.startup import open_portal_database
from lib.db import analytics as analytics_db
from tests.conftest import REWARI_TEHSIL, SeededPortals, run_page_alone_as
from tests.analytics.test_analytics import keep_facts

pytestmark = pytest.mark.engines   # every test here that opens the portal runs on DuckDB and on PostgreSQL

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "pages" / "analytics.py"
COUNT = 400
TODAY = deadlines.today_in_ist()
# A day in last month: its whole month is in the seeded history, whatever today's date (on the 1st,
# this month holds only the last minutes' complaints, and no ward chart is drawn).
LAST_MONTH_DAY = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=15)
# Columns that identify a citizen or hold their words: no analytics query may name or return one.
PERSONAL_COLUMNS = {"citizen_name", "mobile", "email", "aadhaar_last4", "aadhaar_hmac", "ppp_id", "subject",
                    "description", "locality", "tracking_no", "remark"}


def fill(con) -> None:
    signin.create_demo_users(con)
    seed_complaints(con, COUNT, random_seed=3)
    # Two citizens answer after their complaints are resolved: one solved, one not (reopened).
    dc = signin.active_user(con, "dc_rewari")
    with con.cursor() as cur:
        reported = cur.execute("SELECT id, version, tracking_no, mobile FROM complaints"
                               " WHERE status = 'action_reported' ORDER BY filed_at DESC LIMIT 2").fetchall()
    for (cid, version, tracking_no, mobile), answer in zip(reported, ("solved", "not_solved")):
        done = actions.resolve(con, dc, cid, version, track_url="http://x/track")
        actions.record_feedback(con, steps.Citizen(tracking_no, mobile), cid, done.version, answer)
    keep_facts(con)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The seeded district, made once per engine and copied for each test."""
    made = SeededPortals(tmp_path_factory, fill)
    yield made
    made.drop()


@pytest.fixture
def portal(portal_env, template, request):
    template.copy_into(request)
    st.cache_data.clear()
    yield portal_env
    st.cache_data.clear()


def open_as(username: str, state: dict | None = None) -> AppTest:
    """A signed-in session on its first page ("/" sends the analyst on to analytics); then, if
    given, `state` is put in the session and the page runs again (what a click on a chart does)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["keys"] = {}
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.run()
    assert not at.exception
    if state:
        for key, value in state.items():
            at.session_state[key] = value
        at.run()
        assert not at.exception
    return at


def follow_link(query: dict) -> AppTest:
    """The DC's office opens a shared /analytics?… link: the page arrives with these parameters."""
    at = open_as("dc_rewari")                      # lands on the queue
    at.query_params.update(query)
    at.switch_page("pages/analytics.py").run()
    assert not at.exception
    return at


def metric(at: AppTest, key: str, language: str = "hi") -> str:
    label = t(language, f"analytics.metric.{key}")
    return next(m.value for m in at.metric if m.label == label)


def number(text: str) -> int:
    return int(text.replace(",", ""))


def count_filed(where: str = "TRUE", params=(), days: int = figures.DEFAULT_DAYS) -> int:
    """Complaints filed in the last `days` days (IST), counted plainly on the app's own connection."""
    from lib.ui import connection
    start = deadlines.start_of_day(TODAY - timedelta(days=days - 1))
    with connection().cursor() as cur:
        return cur.execute(f"SELECT count(*) FROM complaints c WHERE c.filed_at >= ? AND {where}",
                           [start, *params]).fetchall()[0][0]


def count_answers(answer: str, days: int = figures.DEFAULT_DAYS) -> int:
    """Citizens' answers on complaints filed in the last `days` days, counted plainly."""
    from lib.ui import connection
    start = deadlines.start_of_day(TODAY - timedelta(days=days - 1))
    with connection().cursor() as cur:
        return cur.execute("SELECT count(*) FROM feedback f JOIN complaints c ON c.id = f.complaint_id"
                           " WHERE c.filed_at >= ? AND f.answer = ?", [start, answer]).fetchall()[0][0]


def table(at: AppTest, *headers: str):
    """The table whose columns are exactly these headers (catalog keys, in Hindi)."""
    wanted = [t("hi", h) for h in headers]
    return next(df.value for df in at.dataframe if list(df.value.columns) == wanted)


PLACE_COLUMNS = ("analytics.col.place", "analytics.col.kind", "analytics.col.received", "analytics.col.pending")
TEHSIL_COLUMNS = ("analytics.col.tehsil", "analytics.col.received", "analytics.col.pending")
WARD_COLUMNS = ("analytics.col.ward", "analytics.col.received", "analytics.col.pending")
FLOW_COLUMNS = ("analytics.col.received", "analytics.col.disposed", "analytics.col.backlog")


def test_the_analyst_lands_on_the_headline_figures_of_the_last_twelve_months(portal):
    at = open_as("analyst_rewari")
    assert at.title[0].value == t("hi", "analytics.title")
    labels = [m.label for m in at.metric]
    for key in ("received", "disposed", "pending", "disposal_rate", "median_days", "overdue", "reopen_rate",
                "on_time_rate"):
        assert t("hi", f"analytics.metric.{key}") in labels
    received = number(metric(at, "received"))
    assert received == count_filed() > 0
    assert number(metric(at, "disposed")) + number(metric(at, "pending")) == received
    assert metric(at, "disposal_rate").endswith("%")
    assert metric(at, "reopen_rate") != "0.0%"                 # the citizen who said "not solved"
    # Citizens' feedback by department.
    answers = table(at, "analytics.col.department", "feedback.solved", "feedback.partly", "feedback.not_solved")
    for answer in ("solved", "partly", "not_solved"):
        assert answers[t("hi", f"feedback.{answer}")].sum() == count_answers(answer) > 0
    # Every table can be downloaded as CSV.
    assert len(at.get("download_button")) == len(at.dataframe) >= 6
    # The URL names the period from the first view on.
    assert at.query_params["from"] == (TODAY - timedelta(days=364)).isoformat()
    assert at.query_params["to"] == TODAY.isoformat()


def test_a_filter_changes_the_figures_and_goes_into_the_url(portal):
    at = open_as("analyst_rewari")
    everything = number(metric(at, "received"))
    at.selectbox(key="an_tehsil").set_value(REWARI_TEHSIL).run()
    assert not at.exception
    in_tehsil = number(metric(at, "received"))
    assert in_tehsil == count_filed("c.tehsil_lgd = ?", [REWARI_TEHSIL]) and 0 < in_tehsil < everything
    assert at.query_params["tehsil"] == str(REWARI_TEHSIL)
    # Within one tehsil the place view shows its villages straight away.
    villages = table(at, *PLACE_COLUMNS)
    assert len(villages) > 1
    at.selectbox(key="an_dept").set_value("PHED").run()
    assert number(metric(at, "received")) == count_filed("c.tehsil_lgd = ? AND c.department_code = ?",
                                                         [REWARI_TEHSIL, "PHED"])
    assert at.query_params["dept"] == "PHED"


def test_a_shared_link_opens_the_same_view(portal):
    start = TODAY - timedelta(days=59)
    at = follow_link({"from": start.isoformat(), "to": TODAY.isoformat(), "cat": "WATER", "by": "month",
                      "drill": str(REWARI_TEHSIL)})
    assert at.date_input(key="an_from").value == start
    assert at.selectbox(key="an_cat").value == "WATER"
    assert number(metric(at, "received")) == count_filed("c.category_code = ?", ["WATER"], days=60)
    flow = table(at, "analytics.col.month", *FLOW_COLUMNS)
    assert len(flow) in (2, 3)                                 # the months the 60 days touch
    assert at.query_params["cat"] == "WATER" and at.query_params["by"] == "month"
    assert at.button(key="an_back")                            # drilled into the tehsil, as the link said


def test_drilling_into_a_tehsil_shows_its_villages_with_small_ones_hidden_and_back(portal):
    at = open_as("analyst_rewari", {"an_drill": REWARI_TEHSIL})      # as a click on its bar does
    villages = table(at, *PLACE_COLUMNS)
    received = [str(v) for v in villages[t("hi", "analytics.col.received")]]
    names = list(villages[t("hi", "analytics.col.place")])
    # 400 complaints: many quiet villages, none of them named; they are counted under "Others".
    assert names[-1] == t("hi", "analytics.place.others") and len(names) > 1
    assert all(isinstance(n, str) and n.strip() for n in names)        # never blank, Hindi name or not
    assert not any(v.isdigit() and (0 < int(v) < 5 or int(v) % 5) for v in received)
    assert len(at.get("plotly_chart")) and at.segmented_control(key="an_village_order").value == "received"
    assert at.query_params["drill"] == str(REWARI_TEHSIL)
    at.button(key="an_back").click().run()
    assert not at.exception
    assert "drill" not in at.query_params
    tehsils = table(at, *TEHSIL_COLUMNS)
    assert tehsils[t("hi", "analytics.col.received")].sum() == number(metric(at, "received"))


def test_the_ward_chart_of_a_town_has_every_ward(portal):
    at = open_as("analyst_rewari")
    wards = table(at, *WARD_COLUMNS)
    assert list(wards[t("hi", "analytics.col.ward")]) == list(range(1, 33))     # Rewari, the biggest town
    assert at.query_params["town"] == "248569"


def test_english_labels_everywhere(portal):
    at = open_as("analyst_rewari")
    at.radio(key="language_switch").set_value("en").run()
    assert at.title[0].value == "Analytics"
    assert "Received" in [m.label for m in at.metric]
    assert at.selectbox(key="an_tehsil").label == "Tehsil"
    assert [tab.label for tab in at.tabs] == ["Departments", "Villages and wards", "Over time", "Hearings and feedback"]


def test_complaints_from_partner_systems_get_a_table_by_channel(portal):
    def channel_table(at: AppTest):
        return next((d.value for d in at.dataframe if "Received" in d.value.columns
                     and any(c.startswith("Channel") for c in d.value.columns)), None)

    at = open_as("analyst_rewari")
    at.radio(key="language_switch").set_value("en").run()
    assert channel_table(at) is None                    # every complaint came by the form: no table
    con = open_portal_database(load_settings({}))
    with con.cursor() as cur:
        cur.execute("UPDATE complaints SET channel = 'api:cm_window' WHERE id IN"
                    " (SELECT id FROM complaints ORDER BY filed_at DESC LIMIT 7)")
    con.close()
    st.cache_resource.clear()
    at = open_as("analyst_rewari")
    at.radio(key="language_switch").set_value("en").run()
    table = channel_table(at).set_index(channel_table(at).columns[0])
    assert table.loc["api:cm_window", "Received"] == 7 and table.loc["web", "Received"] > 0


def as_of(at: AppTest) -> str:
    return next(c.value for c in at.caption if "IST" in c.value)


def test_the_figures_are_those_of_the_minute_then_follow_a_filing(portal, monkeypatch):
    asked = []
    real = analytics_db.headline_by_department
    monkeypatch.setattr(analytics_db, "headline_by_department", lambda *a, **k: asked.append(1) or real(*a, **k))
    at = open_as("analyst_rewari")
    received, pending, shown_at = number(metric(at, "received")), number(metric(at, "pending")), as_of(at)
    assert asked == [1] and re.search(r"\b\d\d:\d\d IST", shown_at)
    from lib import ui
    choices = ui.form_choices()
    form = filings.citizen_form(random.Random(1), choices, filings.id_image(), TODAY)
    filings.time_filings(ui.connection(), ui.settings(), choices, [form])
    # Within the minute: the same figures, said to be as of the same time, and no new query.
    at.run()
    assert (number(metric(at, "received")), number(metric(at, "pending"))) == (received, pending)
    assert as_of(at) == shown_at and asked == [1]
    # A minute later: computed again, with the new complaint.
    real_now = cache.now
    monkeypatch.setattr(cache, "now", lambda: real_now() + cache.FRESH_FOR)
    at.run()
    assert as_of(at) != shown_at and asked == [1, 1]
    assert (number(metric(at, "received")), number(metric(at, "pending"))) == (received + 1, pending + 1)


def test_the_dc_office_sees_the_same_page(portal):
    at = open_as("dc_rewari")
    at.switch_page("pages/analytics.py").run()
    assert not at.exception
    assert at.title[0].value == t("hi", "analytics.title")
    assert number(metric(at, "received")) == count_filed()
    at.selectbox(key="an_dept").set_value("PWD").run()
    assert number(metric(at, "received")) == count_filed("c.department_code = ?", ["PWD"]) > 0


@pytest.mark.one_engine     # a guard: the queries behind it run on both engines in the tests above
@pytest.mark.parametrize("username", ["officer_phed", "admin_rewari", None])
def test_the_guard_refuses_officers_admins_and_citizens(portal, username):
    """app.py never registers the page for them, so run the page file itself in a framed session
    of that role: the guard must stop it before anything is drawn."""
    at = run_page_alone_as("analytics", username)
    assert [e.value for e in at.error] == [t("hi", "guard.not_allowed")]
    assert not at.title and not at.metric and not at.dataframe


# ---- Privacy: every statement the page runs, and every column it gets back ----

_LITERALS = re.compile(r"'(?:[^']|'')*'")
_IDENTIFIERS = re.compile(r'"([^"]+)"|([A-Za-z_][A-Za-z0-9_]*)')


def personal_columns_in(sql: str, result_columns=()) -> set[str]:
    """Personal columns a statement names (outside string literals) or returns."""
    named = {(quoted or bare).lower() for quoted, bare in _IDENTIFIERS.findall(_LITERALS.sub("''", sql))}
    return (named | {c.lower() for c in result_columns}) & PERSONAL_COLUMNS


def test_the_scanner_catches_personal_columns():
    assert personal_columns_in("SELECT c.mobile, count(*) FROM complaints c GROUP BY 1") == {"mobile"}
    assert personal_columns_in('SELECT "Subject" FROM complaints') == {"subject"}
    assert personal_columns_in("SELECT * FROM complaints", ["id", "tracking_no"]) == {"tracking_no"}
    assert personal_columns_in("SELECT count(*) FROM complaint_events WHERE event <> 'remark'") == set()


class RecordingCursor:
    """A cursor that notes each statement run from the analytics page and the columns it returned."""

    def __init__(self, cursor, log: list):
        self._cursor, self._log = cursor, log

    def execute(self, sql, params=None):
        self._cursor.execute(sql, params) if params is not None else self._cursor.execute(sql)
        stack = [frame.filename for frame in traceback.extract_stack()]
        if str(PAGE) in stack:
            columns = [d[0] for d in (self._cursor.description or [])]
            self._log.append((sql, columns))
        return self

    def copy_out_csv(self, sql, params, to):
        """What PostgreSQL hands the analysts' DuckDB copy (lib.analytics.replica): named columns only."""
        self._cursor.copy_out_csv(sql, params, to)
        self._log.append((sql, []))

    def cursor(self):
        return RecordingCursor(self._cursor.cursor(), self._log)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._cursor.close()

    def __getattr__(self, name):
        return getattr(self._cursor, name)


def test_no_query_of_the_analytics_page_names_or_returns_a_personal_column(portal, monkeypatch):
    from lib import ui
    real = ui.connection()
    log: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(ui, "connection", lambda: RecordingCursor(real, log))
    # On PostgreSQL the figures run in the DuckDB copy: its statements are the page's too.
    copy_cursor = replica.Replica.cursor
    monkeypatch.setattr(replica.Replica, "cursor", lambda self: RecordingCursor(copy_cursor(self), log))
    at = open_as("analyst_rewari", {"an_drill": REWARI_TEHSIL, "an_grain": "month"})
    at.selectbox(key="an_cat").set_value("WATER").run()
    at.button(key="an_back").click().run()
    assert not at.exception
    assert len(log) >= 8, "the page's queries were not captured"
    assert any("GROUPING SETS" in sql for sql, _ in log)          # the figures themselves were among them
    offending = [(sql, columns) for sql, columns in log if personal_columns_in(sql, columns)]
    assert offending == []


# ---- Privacy: the figures the browser really receives ----

PLACE_CHARTS = ("an_villages", "an_top_villages", "an_wards", "an_ward_categories")


def chart_specs(at: AppTest) -> dict[str, dict]:
    """The plotly specs the page sent, by chart key."""
    import json
    return {chart.key: json.loads(chart.proto.spec) for chart in at.get("plotly_chart")}


@pytest.mark.parametrize("state", [{"an_drill": REWARI_TEHSIL}, {"an_tehsil": REWARI_TEHSIL, "an_cat": "WATER"},
                                   {"an_drill": REWARI_TEHSIL, "an_from": LAST_MONTH_DAY, "an_to": LAST_MONTH_DAY}])
def test_no_village_or_ward_chart_carries_a_count_of_one_to_four(portal, state):
    """Issue #16: the old check allowed 1, 2 and 3, the very values "<5" hides. This one reads the
    figures the page sends to the browser, whatever the filters, and finds no count of 1 to 4 in
    any village, town or ward chart (ward numbers and place codes are identifiers, not counts)."""
    from tests.analytics.test_charts import shown_numbers, small_numbers
    at = open_as("analyst_rewari", state)
    specs = chart_specs(at)
    drawn = [key for key in PLACE_CHARTS if key in specs]
    assert {"an_villages", "an_wards", "an_ward_categories"} <= set(drawn)
    for key in drawn:
        assert small_numbers(specs[key]) == [], key
        assert all(n % 5 == 0 for n in shown_numbers(specs[key])), key


def test_the_department_charts_stand_one_under_the_other_at_full_width(portal):
    at = open_as("analyst_rewari")
    keys = [chart.key for chart in at.get("plotly_chart")]
    assert keys[:3] == ["an_department_status", "an_department_timeliness", "an_department_ageing"]
    # None of them sits in a column: each is a direct child of the tab.
    departments = at.tabs[0]
    assert [c.key for c in departments.get("plotly_chart")][:3] == keys[:3]
    assert not departments.columns


def test_analysts_in_the_same_minute_each_get_the_charts_and_tables_of_their_own_view(portal, monkeypatch):
    """The charts and tables are drawn once per set of figures and shared (lib.analytics.drawn):
    a visitor in English after one in Hindi, or one sorting the villages by name, must not be
    shown the drawings made for the other, although the figures are the same minute's."""
    asked = []
    real = analytics_db.headline_by_department
    monkeypatch.setattr(analytics_db, "headline_by_department", lambda *a, **k: asked.append(1) or real(*a, **k))
    hindi = open_as("analyst_rewari", {"an_drill": REWARI_TEHSIL})
    english = open_as("analyst_rewari", {"an_drill": REWARI_TEHSIL})
    english.radio(key="language_switch").set_value("en").run()
    by_name = open_as("analyst_rewari", {"an_drill": REWARI_TEHSIL, "an_village_order": "name"})
    assert not english.exception and asked == [1]          # one computation served all three

    def status_title(at: AppTest) -> str:
        return chart_specs(at)["an_department_status"]["layout"]["title"]["text"]

    assert status_title(hindi) == t("hi", "analytics.chart.department_status")
    assert status_title(english) == t("en", "analytics.chart.department_status")
    assert status_title(open_as("analyst_rewari")) == t("hi", "analytics.chart.department_status")
    assert "Department" in list(english.dataframe[0].value.columns)

    def village_names(at: AppTest, language: str = "hi") -> list[str]:
        return [n for n in table(at, *PLACE_COLUMNS)[t(language, "analytics.col.place")]
                if n != t(language, "analytics.place.others")]

    assert village_names(by_name) == sorted(village_names(by_name))
    assert village_names(hindi) != village_names(by_name)            # busiest first there
    assert sorted(village_names(hindi)) == sorted(village_names(by_name))
