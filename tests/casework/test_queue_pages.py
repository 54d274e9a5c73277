"""The queue and overdue pages through AppTest: as the DC's office, as a department officer, and refused to everyone else."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.casework import deadlines, queue
from lib.staff import signin
from lib.core.complaints import Status
from lib.core.i18n import t
from lib.casework.queue import QueueFilters
from lib.ops.seed import seed_complaints
from tests.conftest import SeededPortals, open_portal_as, run_page_alone_as

pytestmark = pytest.mark.engines   # every test here that opens the portal runs on DuckDB and on PostgreSQL

ROOT = Path(__file__).resolve().parents[2]
COUNT = 150
PHED_HI = "जन स्वास्थ्य अभियांत्रिकी विभाग"


def fill(con) -> None:
    """The demo users and some complaints."""
    signin.create_demo_users(con)
    seed_complaints(con, COUNT, random_seed=3)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A database made once per engine and copied for each test."""
    made = SeededPortals(tmp_path_factory, fill)
    yield made
    made.drop()


@pytest.fixture
def portal(portal_env, template, request):
    return template.copy_into(request)


def app_user(username: str):
    from lib.ui import connection           # the app's own cached connection, in this process
    return signin.active_user(connection(), username)


def shown_total(at: AppTest) -> int:
    return int(at.metric[0].value.replace(",", ""))


def table(at: AppTest):
    return next(df.value for df in at.dataframe if df.key == "queue_table")


def test_the_dc_sees_the_district_queue_a_page_at_a_time(portal):
    at = open_portal_as("dc_rewari")
    assert at.title[0].value == t("hi", "queue.title")
    assert shown_total(at) == COUNT
    rows = table(at)
    assert len(rows) == queue.DEFAULT_PAGE_SIZE
    # The likely duplicates of the rows shown come last (issue #15).
    assert list(rows.columns) == [*(t("hi", f"queue.col.{c}") for c in queue.COLUMNS), t("hi", "queue.col.duplicates")]
    assert t("hi", "queue.page_of", page=1, pages=3) in [c.value for c in at.caption]
    assert at.get("download_button")
    # The counts per status add up to what is shown.
    counts = at.dataframe[0].value                # drawn above the page of rows
    assert counts.iloc[0].sum() == COUNT
    # Next page: other rows.
    first = set(rows.iloc[:, 0])
    at.button(key="q_next").click().run()
    assert t("hi", "queue.page_of", page=2, pages=3) in [c.value for c in at.caption]
    assert not first & set(table(at).iloc[:, 0])


def test_a_status_filter_changes_the_rows(portal):
    at = open_portal_as("dc_rewari")
    at.multiselect(key="q_statuses").set_value([Status.CLOSED]).run()
    assert not at.exception
    expected = queue.load_queue(app_user_connection(), app_user("dc_rewari"),
                                QueueFilters(statuses=(Status.CLOSED,)), "hi").total
    assert 0 < shown_total(at) == expected < COUNT
    assert set(table(at)[t("hi", "queue.col.status")]) == {t("hi", "status.closed")}


def app_user_connection():
    from lib.ui import connection
    return connection()


def test_a_devanagari_search_in_english_mode(portal):
    at = open_portal_as("dc_rewari")
    at.radio(key="language_switch").set_value("en").run()
    assert at.title[0].value == "Complaints"
    at.text_input(key="q_text").input("पानी").run()
    expected = queue.load_queue(app_user_connection(), app_user("dc_rewari"), QueueFilters(text="पानी"), "en").total
    assert 0 < shown_total(at) == expected < COUNT
    assert "Subject" in table(at).columns


def test_selecting_a_row_opens_the_complaint_and_the_filters_wait_for_the_return(portal):
    at = open_portal_as("dc_rewari")
    at.selectbox(key="q_category_code").set_value("WATER").run()
    water = shown_total(at)
    first = table(at).iloc[0, 0]
    at.session_state["queue_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    at.button(key="q_open").click().run()
    assert not at.exception
    assert at.query_params.get("no") == first
    assert not [df for df in at.dataframe if df.key == "queue_table"]
    # Back in the queue, the officer finds the same filters and no row selected.
    at.switch_page("pages/queue.py").run()
    assert at.selectbox(key="q_category_code").value == "WATER"
    assert shown_total(at) == water < COUNT
    assert at.title[0].value == t("hi", "queue.title")


def test_an_officer_sees_only_their_department(portal):
    at = open_portal_as("officer_phed")
    assert at.title[0].value == t("hi", "queue.title_department", department=PHED_HI)
    with app_user_connection().cursor() as cur:
        phed = cur.execute("SELECT count(*) FROM complaints WHERE department_code = 'PHED'").fetchall()[0][0]
    assert 0 < shown_total(at) == phed < COUNT
    assert set(table(at)[t("hi", "queue.col.department")]) == {PHED_HI}
    # No department picker for an officer, and a text search stays inside the department.
    assert not [s for s in at.selectbox if s.key == "q_department_code"]
    at.text_input(key="q_text").input("में").run()
    assert set(table(at)[t("hi", "queue.col.department")]) <= {PHED_HI}


def test_saving_applying_and_deleting_a_view(portal):
    at = open_portal_as("dc_rewari")
    at.selectbox(key="q_category_code").set_value("WATER").run()
    water = shown_total(at)
    assert water < COUNT
    at.text_input(key="q_view_name").input("पानी की शिकायतें").run()
    at.button(key="q_view_save").click().run()
    assert at.success[0].value == t("hi", "queue.view_saved")
    at.button(key="q_reset").click().run()
    assert shown_total(at) == COUNT
    at.selectbox(key="q_view").set_value(queue.list_views(app_user_connection(), app_user("dc_rewari"))[0].id)
    at.button(key="q_view_apply").click().run()
    assert at.selectbox(key="q_category_code").value == "WATER"
    assert shown_total(at) == water
    at.button(key="q_view_delete").click().run()
    assert at.success[0].value == t("hi", "queue.view_deleted")
    assert queue.list_views(app_user_connection(), app_user("dc_rewari")) == []


def test_the_overdue_view_for_the_dc(portal):
    at = open_portal_as("dc_rewari", "pages/overdue.py")
    assert at.title[0].value == t("hi", "overdue.title")
    lines = deadlines.overdue_summary(app_user_connection(), app_user("dc_rewari"), "hi")
    assert len({line.department_code for line in lines}) > 1
    assert shown_total(at) == sum(line.count for line in lines) > 0
    shown = at.dataframe[0].value
    assert list(shown[t("hi", "overdue.col.count")]) == [line.count for line in lines]
    assert t("hi", "overdue.age.3") in shown.columns
    # From here to the queue, showing only the overdue complaints.
    at.button(key="overdue_open_queue").click().run()
    assert at.title[0].value == t("hi", "queue.title")
    assert shown_total(at) == sum(line.count for line in lines)
    assert set(table(at)[t("hi", "queue.col.overdue")]) == {t("hi", "queue.overdue_flag")}


def test_the_overdue_view_for_an_officer_shows_only_their_department(portal):
    at = open_portal_as("officer_phed", "pages/overdue.py")
    assert at.title[0].value == t("hi", "overdue.title_department", department=PHED_HI)
    assert list(at.dataframe[0].value[t("hi", "overdue.col.department")]) == [PHED_HI]


@pytest.mark.one_engine     # a guard: the queries behind it run on both engines in the tests above
@pytest.mark.parametrize("page", ["queue", "overdue"])
@pytest.mark.parametrize("username", ["analyst_rewari", "admin_rewari", None])
def test_the_guard_refuses_analysts_admins_and_citizens(portal_env, username, page):
    """app.py never registers these pages for them, so run the page file itself in a framed
    session of that role: the guard must stop it before anything is drawn."""
    at = run_page_alone_as(page, username)
    assert [e.value for e in at.error] == [t("hi", "guard.not_allowed")]
    assert not at.title and not at.dataframe and not at.metric


@pytest.mark.one_engine     # a guard: the queries behind it run on both engines in the tests above
@pytest.mark.parametrize("page", ["queue", "overdue"])
def test_a_deep_link_without_the_frame_draws_nothing(portal_env, page):
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=60)
    at.secrets["keys"] = {}
    at.session_state["role"] = "dc"               # even a role set somehow does not help
    at.run()
    assert len(at.error) == 1 and not at.title and not at.dataframe


def open_with_forwardable_phed_complaints() -> AppTest:
    at = open_portal_as("dc_rewari")
    at.selectbox(key="q_department_code").set_value("PHED")
    at.multiselect(key="q_statuses").set_value(
        ["submitted", "under_scrutiny", "accepted", "hearing_scheduled", "heard", "with_department"]).run()
    assert len(table(at)) >= 2
    return at


def forward_first_two(at: AppTest, remark: str | None = "नगर परिषद का काम") -> None:
    """Select the first two rows and forward them to ULB in bulk (with no remark when None)."""
    at.session_state["queue_table"] = {"selection": {"rows": [0, 1], "columns": [], "cells": []}}
    at.run()
    at.selectbox(key="q_bulk_department").set_value("ULB")
    if remark is not None:
        at.text_input(key="q_bulk_forward_remark").input(remark)
    at.button[[b.label for b in at.button].index(t("hi", "queue.bulk.forward"))].click().run()


def test_bulk_forward_moves_every_selected_complaint(portal):
    at = open_with_forwardable_phed_complaints()
    picked = list(table(at).iloc[:2, 0])
    forward_first_two(at)
    assert not at.exception and not at.error
    with app_user_connection().cursor() as cur:
        rows = cur.execute("SELECT department_code, transfers FROM complaints WHERE tracking_no IN (?, ?)",
                           picked).fetchall()
    assert [r[0] for r in rows] == ["ULB"] * 2


def test_bulk_forward_without_a_remark_changes_nothing(portal):
    at = open_with_forwardable_phed_complaints()
    picked = list(table(at).iloc[:2, 0])
    forward_first_two(at, remark=None)
    assert at.error
    with app_user_connection().cursor() as cur:
        rows = cur.execute("SELECT department_code FROM complaints WHERE tracking_no IN (?, ?)", picked).fetchall()
    assert "ULB" not in [r[0] for r in rows]


def test_the_duplicate_counts_are_counted_once_a_minute_and_afresh_after_a_bulk_action(portal, monkeypatch):
    """lib/ui/duplicate_counts.py: officers refreshing the same page in the same minute share one count of
    the likely duplicates (the costly part of a queue view at scale); a minute later, or after a bulk
    action in this process, the page counts again."""
    from lib.analytics import cache
    from lib.casework import duplicates
    asked = []
    real = duplicates.counts_for
    monkeypatch.setattr(duplicates, "counts_for", lambda *a, **k: asked.append(1) or real(*a, **k))

    def column(at: AppTest) -> list:
        return list(table(at)[t("hi", "queue.col.duplicates")])

    first = open_portal_as("dc_rewari")
    again = open_portal_as("dc_rewari")
    assert asked == [1] and column(again) == column(first)
    open_portal_as("officer_phed")                          # another officer's scope: counted for them
    assert asked == [1, 1]
    real_now = cache.now
    monkeypatch.setattr(cache, "now", lambda: real_now() + cache.FRESH_FOR)
    open_portal_as("dc_rewari")
    assert asked == [1, 1, 1]

    at = open_with_forwardable_phed_complaints()            # the PHED view of the DC's queue: another page
    forward_first_two(at)
    assert not at.exception and not at.error
    # The whole district's first page (the same rows as before the action) is counted afresh.
    asked.clear()
    open_portal_as("dc_rewari")
    assert asked == [1]
