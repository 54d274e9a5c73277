"""The DC's office and a department run a complaint end to end in a real browser, and the citizen sees it."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lib.staff import signin
from lib.core.config import load_settings
from lib.citizen.filing import file_complaint, load_form_choices
from lib.core.i18n import t
from lib.ops.startup import open_portal_database
from tests.conftest import make_form
from tests.e2e.conftest import PortalServer, sign_in, wait_for_app

MOBILE = "9812345678"


def hi(key: str, **params) -> str:
    return t("hi", key, **params)


@pytest.fixture
def portal_with_complaint(tmp_path, browser, monkeypatch):
    """A database with the demo accounts and one citizen's complaint, then a portal on it."""
    monkeypatch.setenv("ESACHIVALAYA_DB", str(tmp_path / "portal.duckdb"))
    monkeypatch.setenv("ESACHIVALAYA_DEMO", "0")
    settings = load_settings({})
    con = open_portal_database(settings)
    signin.create_demo_users(con)
    ack = file_complaint(con, settings, make_form(mobile=MOBILE, category_code="WATER", department_code="PHED"),
                         load_form_choices(con), track_url="http://portal/track_complaint")
    con.close()
    server = PortalServer(tmp_path).warm_up(browser)
    yield server, ack.tracking_no
    server.stop()


def take_action(page, action: str, fill=None) -> None:
    """Open the action's panel on the detail page, fill it, submit, and wait for the confirmation."""
    label = page.locator("summary").get_by_text(hi(f"action.{action}"), exact=True)
    panel = page.get_by_test_id("stExpander").filter(has=label)
    panel.locator("summary").click()
    if fill:
        fill(panel)
    # Submitted from the keyboard (focus, then Enter), as a keyboard user would: a mouse click aimed
    # at a button far down the scrolled page missed it now and then on a busy machine.
    panel.get_by_test_id("stFormSubmitButton").get_by_role("button").press("Enter")
    wait_for_app(page)
    # The confirmation names this action: the previous action's confirmation may still be on screen.
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(hi(f"action.{action}"), timeout=20_000)


def track_status(browser, url: str, tracking_no: str, status: str) -> str:
    """The citizen's track page shows `status`: waited for as the heading (a new page each time)."""
    page = browser.new_page()
    page.goto(f"{url}/track_complaint")
    wait_for_app(page)
    page.get_by_label(hi("track.tracking_no"), exact=True).fill(tracking_no)
    page.get_by_label(hi("track.mobile"), exact=True).fill(MOBILE)
    page.get_by_role("button", name=hi("track.submit")).click()
    wait_for_app(page)
    heading = page.get_by_role("heading", name=hi("summary.status"), exact=False).first
    expect(heading).to_have_text(f"{hi('summary.status')}: {hi(status)}")
    heading = heading.inner_text()
    page.close()
    return heading


def test_dc_and_department_take_a_complaint_to_resolution(portal_with_complaint, browser):
    server, tracking_no = portal_with_complaint
    detail = f"{server.url}/complaint_detail?no={tracking_no}"

    dc = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    dc.set_default_timeout(30_000)
    sign_in(dc, server.url, "dc_rewari")
    dc.goto(detail)
    wait_for_app(dc)
    take_action(dc, "start_scrutiny")
    take_action(dc, "accept")
    assert hi("status.accepted") in track_status(browser, server.url, tracking_no, "status.accepted")

    def directions(panel):
        panel.get_by_label(hi("detail.instruction"), exact=True).first.fill("पाइपलाइन की मरम्मत कर रिपोर्ट दें")
    take_action(dc, "send_to_department", directions)

    def forward_to_ulb(panel):
        panel.get_by_label(hi("detail.remark_required"), exact=True).fill("नगर परिषद की पाइपलाइन है")
        box = panel.get_by_test_id("stSelectbox").filter(has=dc.get_by_text(hi("detail.forward_to"), exact=True))
        # Type to filter the list down to one department, then pick it from the keyboard.
        box.get_by_role("combobox").click()
        box.get_by_role("combobox").press_sequentially("स्थानीय", delay=30)
        expect(dc.get_by_role("option", name="शहरी स्थानीय निकाय विभाग", exact=True)).to_be_visible()
        box.get_by_role("combobox").press("ArrowDown")
        box.get_by_role("combobox").press("Enter")
        expect(box.get_by_role("combobox")).to_have_value("शहरी स्थानीय निकाय विभाग")
    take_action(dc, "forward", forward_to_ulb)
    assert hi("status.with_department") in track_status(browser, server.url, tracking_no, "status.with_department")

    officer = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    officer.set_default_timeout(30_000)
    sign_in(officer, server.url, "officer_ulb")
    officer.goto(f"{server.url}/queue")
    wait_for_app(officer)
    # The grid draws on a canvas; the queue's count says the one complaint is now ULB's.
    expect(officer.get_by_test_id("stMetric").filter(has_text=hi("queue.total"))
           .get_by_test_id("stMetricValue")).to_have_text("1")
    officer.goto(detail)
    wait_for_app(officer)
    expect(officer.get_by_role("heading", name=f"{tracking_no}: {hi('status.with_department')}")).to_be_visible()

    def report(panel):
        panel.get_by_label(hi("detail.report_text"), exact=True).fill("पाइपलाइन बदल दी गई, पानी की सप्लाई चालू है")
    take_action(officer, "file_report", report)
    assert hi("status.action_reported") in track_status(browser, server.url, tracking_no, "status.action_reported")

    dc.goto(detail)
    wait_for_app(dc)
    take_action(dc, "resolve")
    assert hi("status.resolved") in track_status(browser, server.url, tracking_no, "status.resolved")

    # The PHED officer, whose department no longer holds it, is told it does not exist.
    phed = browser.new_context().new_page()
    sign_in(phed, server.url, "officer_phed")
    phed.goto(detail)
    wait_for_app(phed)
    expect(phed.get_by_text(hi("casework.not_found"))).to_be_visible()
