"""Appeal end to end in a real browser (issue #15): the citizen answers "not solved" and appeals with the
one-time code from their SMS; the appellate officer sends the complaint back; the department officer
finds it reopened with them. On PostgreSQL, so that the test reads the code from the SMS outbox table
while the portal runs (DuckDB's file is the portal's alone)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import psycopg
import pytest
from playwright.sync_api import expect

from lib.casework import actions
from lib.casework.steps import IST
from lib.citizen.filing import file_complaint, load_form_choices
from lib.core.config import load_settings
from lib.core.i18n import t
from lib.ops.startup import open_portal_database
from lib.staff import signin
from tests.conftest import make_form
from tests.e2e.conftest import PortalServer, sign_in, wait_for_app

MOBILE = "9812345678"
USERS = {u.username: u for u in signin.DEMO_USERS}


def hi(key: str, **params) -> str:
    return t("hi", key, **params)


@pytest.fixture
def resolved_complaint(tmp_path, browser, monkeypatch, pg_cluster, pg_template):
    """A PostgreSQL database with the demo accounts and one complaint the DC resolved, then a portal on it."""
    url = pg_cluster.database(template=pg_template)
    for name, value in (("ESACHIVALAYA_DB", url), ("ESACHIVALAYA_DATA_DIR", str(tmp_path)),
                        ("ESACHIVALAYA_DEMO", "0")):
        monkeypatch.setenv(name, value)
    settings = load_settings({})
    con = open_portal_database(settings)
    signin.create_demo_users(con)
    ack = file_complaint(con, settings, make_form(mobile=MOBILE), load_form_choices(con), track_url=settings.track_url)
    cid, dc = ack.complaint_id, USERS["dc_rewari"]
    due = datetime.now(IST).date() + timedelta(days=5)
    def version() -> int:
        with con.cursor() as cur:
            return cur.execute("SELECT version FROM complaints WHERE id = ?", [cid]).fetchall()[0][0]
    actions.start_scrutiny(con, dc, cid, version())
    actions.accept(con, dc, cid, version())
    actions.give_directions(con, dc, cid, version(), [("PHED", "पानी की सप्लाई बहाल करें", due)])
    actions.file_report(con, USERS["officer_phed"], cid, version(), "सप्लाई बहाल कर दी गई है।")
    actions.resolve(con, dc, cid, version(), track_url=settings.track_url)
    con.close()
    server = PortalServer(tmp_path, db_url=url).warm_up(browser)
    yield server, url, ack.tracking_no
    server.stop()
    pg_cluster.drop(url)


def latest_code(url: str) -> str:
    """The one-time code, as the citizen reads it in the SMS: from the outbox table."""
    with psycopg.connect(url) as con:
        body = con.execute("SELECT body FROM sms_outbox WHERE template = 'otp' ORDER BY id DESC LIMIT 1").fetchone()[0]
    return re.search(r"कोड (\d{6})", body).group(1)


def submit(page, button_key: str) -> None:
    """Submit a form from the keyboard (focus its button, Enter) and wait for the run it causes."""
    page.locator(f".st-key-{button_key}").get_by_role("button").press("Enter")
    wait_for_app(page)


def test_citizen_appeals_and_the_appellate_officer_sends_it_back(resolved_complaint, browser):
    server, url, tracking_no = resolved_complaint

    # The citizen: number and mobile, then the code from the SMS, then "not solved".
    citizen = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    citizen.set_default_timeout(30_000)
    citizen.goto(f"{server.url}/track_complaint")
    wait_for_app(citizen)
    citizen.get_by_label(hi("track.tracking_no"), exact=True).fill(tracking_no)
    citizen.get_by_label(hi("track.mobile"), exact=True).fill(MOBILE)
    submit(citizen, "track_submit")
    citizen.get_by_role("button", name=hi("track.send_code")).click()
    wait_for_app(citizen)
    expect(citizen.get_by_test_id("stAlertContentSuccess")).to_contain_text("XXXXXX5678")
    citizen.get_by_label(hi("track.code"), exact=True).fill(latest_code(url))
    submit(citizen, "track_code_submit")
    expect(citizen.get_by_role("heading", name=hi("track.feedback_title"))).to_be_visible()
    citizen.get_by_text(hi("feedback.not_solved"), exact=True).click()
    submit(citizen, "feedback_submit")
    expect(citizen.get_by_test_id("stAlertContentSuccess")).to_have_text(hi("track.feedback_reopened"))

    # The appeal, with a reason.
    citizen.get_by_label(hi("appeal.reason"), exact=True).fill("वाल्व अभी भी खराब है, शाम को पानी नहीं आता।")
    submit(citizen, "appeal_submit")
    expect(citizen.get_by_test_id("stAlertContentSuccess")).to_have_text(hi("appeal.filed"))
    expect(citizen.get_by_test_id("stAlertContentInfo").last).to_contain_text("अपीलीय अधिकारी के पास है")
    with psycopg.connect(url) as con:
        assert con.execute("SELECT template FROM sms_outbox ORDER BY id DESC LIMIT 1").fetchone()[0] == "appeal_filed"

    # The appellate officer: the Appeals page is where signing in leads.
    adc = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    adc.set_default_timeout(30_000)
    sign_in(adc, server.url, "adc_rewari")
    expect(adc.get_by_role("heading", name=hi("appeals.title"), exact=True)).to_be_visible()
    pick = adc.get_by_test_id("stSelectbox").filter(has=adc.get_by_text(hi("appeals.pick"), exact=True))
    pick.get_by_role("combobox").click()
    adc.get_by_role("option", name=tracking_no, exact=True).click()
    wait_for_app(adc)
    expect(adc.get_by_text("वाल्व अभी भी खराब है", exact=False)).to_be_visible()
    adc.get_by_label(hi("appeals.directions"), exact=True).fill("नागरिक की उपस्थिति में वाल्व बदलें, फ़ोटो सहित रिपोर्ट दें।")
    submit(adc, "appeal_send_back_submit")
    expect(adc.get_by_test_id("stAlertContentSuccess")).to_contain_text(f"{tracking_no} विभाग को वापस भेजी गई")

    # The department officer finds it reopened with them.
    officer = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    officer.set_default_timeout(30_000)
    sign_in(officer, server.url, "officer_phed")
    officer.goto(f"{server.url}/complaint_detail?no={tracking_no}")
    wait_for_app(officer)
    expect(officer.get_by_role("heading", name=f"{tracking_no}: {hi('status.with_department')}")).to_be_visible()
    expect(officer.get_by_text("नागरिक की उपस्थिति में वाल्व बदलें", exact=False).first).to_be_visible()
