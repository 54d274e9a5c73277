"""Duplicates in a real browser: the DC opens a complaint, sees its likely duplicate, merges it into that one,
and the citizen's track page of the merged complaint shows the surviving complaint's status."""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from lib.casework import actions
from lib.citizen.filing import file_complaint, load_form_choices
from lib.core.config import load_settings
from lib.core.i18n import t
from lib.ops.startup import open_portal_database
from lib.staff import signin
from tests.conftest import make_form, valid_aadhaar
from tests.e2e.conftest import PortalServer, sign_in, wait_for_app

IST = ZoneInfo("Asia/Kolkata")
FIRST_MOBILE, SECOND_MOBILE = "9812345601", "9812345602"


def hi(key: str, **params) -> str:
    return t("hi", key, **params)


@pytest.fixture
def portal_with_two_alike(tmp_path, browser, monkeypatch):
    """Two citizens' complaints about the same place and category, two days apart; the older one already
    accepted by the DC's office. Then a portal on that database."""
    monkeypatch.setenv("ESACHIVALAYA_DB", str(tmp_path / "portal.duckdb"))
    monkeypatch.setenv("ESACHIVALAYA_DEMO", "0")
    settings = load_settings({})
    con = open_portal_database(settings)
    signin.create_demo_users(con)
    choices = load_form_choices(con)
    numbers = []
    for n, (mobile, days_ago, subject) in enumerate(((FIRST_MOBILE, 2, "गली में पानी की सप्लाई बंद"),
                                                     (SECOND_MOBILE, 0, "पानी नहीं आ रहा"))):
        when = datetime.now(IST) - timedelta(days=days_ago)
        form = make_form(mobile=mobile, id_number=valid_aadhaar(random.Random(500 + n)), subject=subject,
                         preferred_dates=(when.date() + timedelta(days=5),))
        numbers.append(file_complaint(con, settings, form, choices, track_url="http://portal/track_complaint",
                                      now=when))
    dc = next(u for u in signin.DEMO_USERS if u.username == "dc_rewari")
    actions.start_scrutiny(con, dc, numbers[0].complaint_id, 0)
    actions.accept(con, dc, numbers[0].complaint_id, 1)
    con.close()
    server = PortalServer(tmp_path).warm_up(browser)
    yield server, numbers[0].tracking_no, numbers[1].tracking_no
    server.stop()


def test_dc_merges_a_suggested_duplicate_and_the_citizen_follows_the_survivor(portal_with_two_alike, browser):
    server, survivor, duplicate = portal_with_two_alike

    dc = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    dc.set_default_timeout(30_000)
    sign_in(dc, server.url, "dc_rewari")
    dc.goto(f"{server.url}/complaint_detail?no={duplicate}")
    wait_for_app(dc)
    # The older complaint is suggested, with its status, under the likely duplicates.
    expect(dc.get_by_role("heading", name=hi("duplicates.heading"))).to_be_visible()
    expect(dc.get_by_text(survivor, exact=True)).to_be_visible()
    expect(dc.get_by_text(hi("duplicates.why.place"), exact=True)).to_be_visible()

    label = dc.locator("summary").get_by_text(hi("duplicates.merge_into"), exact=True)
    panel = dc.get_by_test_id("stExpander").filter(has=label)
    panel.locator("summary").click()
    expect(panel.get_by_role("combobox")).to_have_value(survivor)    # the one open suggestion
    panel.get_by_test_id("stFormSubmitButton").get_by_role("button").press("Enter")
    wait_for_app(dc)
    expect(dc.get_by_test_id("stAlertContentSuccess")).to_contain_text(
        hi("duplicates.merged", count=1, tracking_no=survivor), timeout=20_000)
    expect(dc.get_by_role("heading", name=f"{duplicate}: {hi('status.rejected')}")).to_be_visible()

    # The second citizen tracks their own number and sees the survivor's status, and why.
    citizen = browser.new_page()
    citizen.goto(f"{server.url}/track_complaint")
    wait_for_app(citizen)
    citizen.get_by_label(hi("track.tracking_no"), exact=True).fill(duplicate)
    citizen.get_by_label(hi("track.mobile"), exact=True).fill(SECOND_MOBILE)
    citizen.get_by_role("button", name=hi("track.submit")).click()
    wait_for_app(citizen)
    expect(citizen.get_by_text(hi("track.joined", tracking_no=survivor))).to_be_visible()
    expect(citizen.get_by_role("heading", name=hi("summary.status"), exact=False).first).to_have_text(
        f"{hi('summary.status')}: {hi('status.accepted')}")
    expect(citizen.get_by_text(hi("next.accepted"), exact=False)).to_be_visible()
    citizen.close()
