"""The authorisation matrix: for every page and role, the page opens or its guard refuses it,
on DuckDB and on PostgreSQL (each page's queries run as each role that may open it)."""
from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib.staff import signin
from lib.staff.access import PageName, can_open
from lib.core.roles import Role
from lib.core.config import load_settings
from lib.ops.seed import seed_complaints
from lib.ops.startup import open_portal_database
from tests.conftest import SeededPortals, open_portal_as, run_page_alone_as

pytestmark = pytest.mark.engines   # every test here that opens the portal runs on DuckDB and on PostgreSQL

ROOT = Path(__file__).resolve().parents[2]
USER_OF_ROLE = {Role.DC: "dc_rewari", Role.OFFICER: "officer_phed", Role.ANALYST: "analyst_rewari",
                Role.ADMIN: "admin_rewari", Role.OPERATOR: "operator_csc",   # operator, appellate: issue #15
                Role.APPELLATE: "adc_rewari"}
REFUSED = "आपको यह पृष्ठ खोलने की अनुमति नहीं है।"

# What each role may open, written out by hand so a slip in lib/access.py shows up here.
EXPECTED = {
    Role.PUBLIC: {PageName.HOME, PageName.FILE_COMPLAINT, PageName.TRACK_COMPLAINT, PageName.SIGN_IN},
    Role.DC: {PageName.QUEUE, PageName.COMPLAINT_DETAIL, PageName.CALENDAR, PageName.OVERDUE,
              PageName.ANALYTICS, PageName.FILE_COMPLAINT, PageName.TRACK_COMPLAINT, PageName.SIGN_IN,
              PageName.HOME},
    Role.OFFICER: {PageName.QUEUE, PageName.COMPLAINT_DETAIL, PageName.CALENDAR, PageName.OVERDUE,
                   PageName.SIGN_IN, PageName.HOME},
    Role.ANALYST: {PageName.ANALYTICS, PageName.SIGN_IN, PageName.HOME},
    Role.ADMIN: {PageName.ADMIN, PageName.SMS_OUTBOX, PageName.SIGN_IN, PageName.HOME},
    # Assisted filing (issue #15): the form and their own filings; no queue, no complaint page, no ID document.
    Role.OPERATOR: {PageName.FILE_COMPLAINT, PageName.FILED_BY_ME, PageName.SIGN_IN, PageName.HOME},
    # ---- appeals (issue #15) ----
    Role.APPELLATE: {PageName.APPEALS, PageName.SIGN_IN, PageName.HOME},
}
# Help, contact and the accessibility statement are for everyone (GIGW 3.0).
EXPECTED = {role: pages | {PageName.HELP, PageName.CONTACT, PageName.ACCESSIBILITY} for role, pages in EXPECTED.items()}


def fill(con) -> None:
    """The demo users and a few complaints, so the pages show rows (and run their queries on them)."""
    signin.create_demo_users(con)
    seed_complaints(con, 40, random_seed=13)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """Seeded once per engine (bcrypt makes the demo users slow), copied for each test."""
    made = SeededPortals(tmp_path_factory, fill)
    yield made
    made.drop()


@pytest.fixture
def portal(portal_env, template, request):
    return template.copy_into(request)


def open_as(role: Role) -> AppTest:
    return open_portal_as(USER_OF_ROLE.get(role))


@pytest.mark.parametrize("role", list(Role))
def test_access_table_matches_the_expected_matrix(role):
    assert {p for p in PageName if can_open(role, p)} == EXPECTED[role]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("page", [p for p in PageName if p not in (PageName.SIGN_IN, PageName.HOME)])
def test_each_page_opens_or_refuses_for_each_role(portal, role, page):
    at = open_as(role)
    assert at.session_state["role"] == role if role != Role.PUBLIC else "role" not in at.session_state
    if page not in EXPECTED[role]:
        # st.navigation did not register the page for this role: Streamlit refuses to run it.
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"pages/{page}.py")
        return
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception
    assert REFUSED not in [e.value for e in at.error]
    assert at.title or at.subheader or at.text_input, "an allowed page rendered nothing"


@pytest.mark.one_engine     # the guard refuses before any query; the matrix above runs on both engines
@pytest.mark.parametrize("role, page", [(role, page) for role in Role for page in PageName
                                         if page not in EXPECTED[role]])     # the allowed ones: above
def test_each_page_guard_refuses_a_role_on_its_own(portal, role, page):
    """Defence in depth: run the page file alone as if navigation had let it through."""
    at = run_page_alone_as(page, USER_OF_ROLE.get(role))
    assert [e.value for e in at.error] == [REFUSED]
    assert not at.title and not at.dataframe and not at.text_input and not at.button


def test_a_deactivated_officer_is_treated_as_signed_out(portal):
    """app.py re-reads the user from the database on every page load: the library's session
    flag alone (as a cookie restore would set it) opens nothing for a deactivated account."""
    from lib.db.staff import users as users_sql

    con = open_portal_database(load_settings({}))
    with con.cursor() as cur:
        users_sql.update_user(cur, "officer_phed", active=False)
    con.close()
    st.cache_resource.clear()
    at = open_as(Role.OFFICER)
    assert "role" not in at.session_state
    assert at.title[0].value == "शिकायत दर्ज करें"          # the public default page
