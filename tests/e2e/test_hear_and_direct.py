"""Hear and direct, end to end in a real browser (issue #12): the DC books a hearing, Join opens the room the
citizen's SMS links to, the page is as wide from the calendar as from its address; once the hearing has begun
the DC records it held with directions to two departments in one step, each department reports, the DC
resolves; the citizen's SMS names the directions and its signed link opens the track page at the new status.

The portal holds the database while it runs, so the test stops it to read the outbox and to move the hearing's
start into the past (the rules offer no slot that has begun), and starts it again on the same file."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from lib.db.connect import connect
from tests.e2e.conftest import PHONE, PortalServer, accepted_complaint, sign_in, wait_for_app

IST = ZoneInfo("Asia/Kolkata")
PWD_HI = "लोक निर्माण (भवन एवं सड़कें) विभाग"


def sql(db_path, statement: str, params=()) -> list[tuple]:
    con = connect(db_path)
    try:
        with con.cursor() as cur:
            rows = cur.execute(statement, list(params))
            return rows.fetchall() if rows.description else []
    finally:
        con.close()


@pytest.fixture
def accepted_portal(tmp_path, browser):
    """Demo accounts, the DC as hearing officer, one accepted Hindi complaint (PHED) without preferred dates."""
    ack = accepted_complaint(tmp_path)
    servers = [PortalServer(tmp_path).warm_up(browser)]
    yield servers, ack, tmp_path
    servers[-1].stop()


def desk(browser, server, username: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, timezone_id="Asia/Kolkata")
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_in(page, server.url, username)
    return context, page


def open_complaint(page, server, tracking_no: str, status: str) -> None:
    page.goto(f"{server.url}/complaint_detail?no={tracking_no}")
    wait_for_app(page)
    expect(page.get_by_role("heading", name=f"{tracking_no}: {status}")).to_be_visible()


def content_width(page) -> float:
    return page.get_by_test_id("stMainBlockContainer").bounding_box()["width"]


def test_the_dc_hears_and_directs_the_departments_report_and_the_citizen_follows(accepted_portal, browser):
    servers, ack, tmp_path = accepted_portal
    server = servers[0]
    no = ack.tracking_no

    # The DC books the first free slot; Join is there at once, as wide as the page from the calendar.
    context, page = desk(browser, server, "dc_rewari")
    open_complaint(page, server, no, "स्वीकृत")
    page.locator(".st-key-booking_submit button").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name=f"{no}: सुनवाई तय")).to_be_visible()
    join_href = page.locator(".st-key-hearing_join a").get_attribute("href")
    expect(page.get_by_text("सुनवाई उसके शुरू होने के समय से दर्ज हो सकेगी", exact=False)).to_be_visible()
    direct_width = content_width(page)
    page.locator(".st-key-hearing_calendar button").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="आने वाली सुनवाइयाँ")).to_be_visible()
    page.locator(".st-key-calendar_open button").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name=f"{no}: सुनवाई तय")).to_be_visible()
    assert direct_width > 1000                  # the officers' wide layout, not the 736 px column
    assert content_width(page) == direct_width
    context.close()

    # The room is the one the citizen's SMS links to. The hearing then begins (its start moved to the past).
    server.stop()
    [(booked_sms, join_url)] = sql(server.db_path, "SELECT o.body, h.join_url FROM sms_outbox o JOIN hearings h"
                                   " ON h.complaint_id = o.complaint_id WHERE o.complaint_id = ?"
                                   " AND o.template = 'hearing_booked'", [ack.complaint_id])
    assert join_href == join_url and join_url in booked_sms
    start = datetime.now(IST) - timedelta(minutes=5)
    sql(server.db_path, "UPDATE hearing_slot_claims SET starts_at = ? WHERE hearing_id ="
                        " (SELECT id FROM hearings WHERE complaint_id = ?)", [start, ack.complaint_id])
    sql(server.db_path, "UPDATE hearings SET starts_at = ?, ends_at = ? WHERE complaint_id = ?",
        [start, start + timedelta(minutes=10), ack.complaint_id])
    server = PortalServer(tmp_path).warm_up(browser)
    servers.append(server)

    # Held, with directions to PHED and PWD, in one step. Enter in a field adds a line; it submits nothing.
    context, page = desk(browser, server, "dc_rewari")
    open_complaint(page, server, no, "सुनवाई तय")
    expect(page.locator(".st-key-hearing_join a")).to_have_attribute("href", join_url)
    page.locator(".st-key-record_hearing_remark textarea").fill("दोनों पक्ष सुने")
    first = page.locator(".st-key-held_direction_0_instruction textarea")
    first.fill("मुख्य पाइपलाइन ठीक करें")
    first.press("Enter")
    first.press_sequentially("और फ़ोटो के साथ रिपोर्ट दें")
    page.locator(".st-key-held_direction_1_department").click()
    page.keyboard.type("लोक निर्माण")
    page.get_by_role("option", name=PWD_HI).click()
    page.locator(".st-key-held_direction_1_instruction textarea").fill("खुदाई के बाद सड़क ठीक करें")
    page.locator(".st-key-held_direction_1_instruction textarea").press("Enter")
    # Inside a form with enter_to_submit=False, Enter starts no run at all: nothing was submitted.
    expect(page.locator(".st-key-held_direction_1_instruction textarea")).to_have_value("खुदाई के बाद सड़क ठीक करें\n")
    expect(page.get_by_role("heading", name=f"{no}: सुनवाई तय")).to_be_visible()
    page.locator(".st-key-record_hearing_submit button").click()
    wait_for_app(page)
    expect(page.get_by_text("सुनवाई दर्ज हो गई; निर्देश जन स्वास्थ्य अभियांत्रिकी विभाग, लोक निर्माण",
                            exact=False)).to_be_visible()
    expect(page.get_by_role("heading", name=f"{no}: विभाग के पास")).to_be_visible()
    expect(page.get_by_text("मुख्य पाइपलाइन ठीक करें\nऔर फ़ोटो के साथ रिपोर्ट दें")).to_be_visible()
    context.close()

    # Each department's officer reports; the second report hands the complaint back to the DC.
    for officer, status, text in (("officer_phed", "विभाग के पास", "पाइपलाइन बदल दी गई, पानी चालू है।"),
                                  ("officer_pwd", "विभाग ने कार्रवाई की रिपोर्ट दी", "सड़क की मरम्मत पूरी हो गई है।")):
        context, page = desk(browser, server, officer)
        open_complaint(page, server, no, "विभाग के पास")
        page.locator("summary", has_text="की गई कार्रवाई की रिपोर्ट दें").click()
        page.locator(".st-key-report_text textarea").fill(text)
        page.locator(".st-key-report_submit button").click()
        wait_for_app(page)
        expect(page.get_by_role("heading", name=f"{no}: {status}")).to_be_visible()
        context.close()

    context, page = desk(browser, server, "dc_rewari")
    open_complaint(page, server, no, "विभाग ने कार्रवाई की रिपोर्ट दी")
    page.locator("summary", has_text="समाधान दर्ज करें").click()
    page.locator(".st-key-resolve_submit button").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name=f"{no}: समाधान हुआ")).to_be_visible()
    context.close()

    # The citizen's SMS names what was directed and by when; its signed link follows the status.
    server.stop()
    [(held_sms,)] = sql(server.db_path, "SELECT body FROM sms_outbox WHERE complaint_id = ?"
                                        " AND template = 'hearing_held'", [ack.complaint_id])
    due = (datetime.now(IST).date() + timedelta(days=7)).strftime("%d-%m-%Y")
    assert "निर्देश: PHED, PWD को" in held_sms and f"रिपोर्ट {due} तक" in held_sms
    link = re.search(r"http://\S+/track_complaint\?t=\S+&sig=\S+", held_sms).group(0)
    assert urlsplit(link).netloc == urlsplit(server.url).netloc          # the portal's own address
    server = PortalServer(tmp_path).warm_up(browser)
    servers.append(server)
    phone_context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="hi-IN")
    phone = phone_context.new_page()
    phone.set_default_timeout(30_000)
    phone.goto(server.url + link[len(f"http://{urlsplit(link).netloc}"):])     # the same link, the new port
    wait_for_app(phone)
    expect(phone.get_by_role("heading", name="स्थिति: समाधान हुआ")).to_be_visible()
    # (the history is a data grid there: its cells are in the page, not "visible" to Playwright)
    expect(phone.get_by_text("लोक निर्माण (भवन एवं सड़कें) विभाग को निर्देश दिए गए", exact=False)).to_be_attached()
    phone_context.close()
