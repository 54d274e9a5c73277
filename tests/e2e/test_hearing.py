"""A hearing in a real browser: the DC's office books it from the complaint, it shows on the calendar (in IST,
though this browser runs on UTC) and opens its complaint when selected, the outbox holds the citizen's SMS with the join link, and the citizen's
track page shows the hearing with the same link."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from lib.core.config import load_settings
from lib.citizen.track_links import signed_track_url
from lib.db.connect import connect
from tests.e2e.conftest import PHONE, PortalServer, accepted_complaint, sign_in, wait_for_app

MOBILE = "9876543210"              # make_form's mobile
IST_ZONE = ZoneInfo("Asia/Kolkata")


@pytest.fixture
def hearing_portal(tmp_path, browser):
    """The portal on a database with the demo accounts, the DC as hearing officer with the default rules,
    and one accepted complaint whose citizen has no preferred date."""
    ack = accepted_complaint(tmp_path)
    server = PortalServer(tmp_path).warm_up(browser)
    yield server, ack
    server.stop()


def test_the_dc_books_a_hearing_and_the_calendar_outbox_and_track_page_show_it(hearing_portal, browser):
    server, ack = hearing_portal
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, timezone_id="UTC")
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_in(page, server.url, "dc_rewari")

    # The DC's office books the first free slot from the complaint.
    page.goto(f"{server.url}/complaint_detail?no={ack.tracking_no}")
    wait_for_app(page)
    expect(page.get_by_role("heading", name=f"{ack.tracking_no}: स्वीकृत")).to_be_visible()
    page.locator(".st-key-booking_submit button").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name=f"{ack.tracking_no}: सुनवाई तय")).to_be_visible()
    expect(page.get_by_text("नागरिक का SMS कतार में है।", exact=False)).to_be_visible()
    # The booked hearing's own note (the page has other notes too, e.g. in the earlier complaints).
    info = page.get_by_test_id("stAlertContentInfo").filter(
        has_text=re.compile(r"\d\d-\d\d-\d{4} \d\d:\d\d-\d\d:\d\d IST")).first
    expect(info).to_be_visible()
    booked = info.inner_text()
    day, start = re.search(r"(\d\d-\d\d-\d{4}) (\d\d:\d\d)-\d\d:\d\d IST", booked).groups()
    join_url = page.get_by_role("link", name="सुनवाई में जुड़ें").get_attribute("href")
    assert re.fullmatch(r"https://meet\.jit\.si/esachivalaya-[A-Za-z0-9_-]{32}", join_url)

    # It shows on the calendar, opened on the hearing's week, at its IST time.
    page.locator(".st-key-hearing_calendar button").click()
    wait_for_app(page)
    calendar = page.frame_locator("iframe[title='streamlit_calendar.calendar']")
    event = calendar.locator(".fc-event", has_text=ack.tracking_no)
    expect(event).to_be_visible(timeout=30_000)
    expect(event).to_contain_text(start)
    expect(page.get_by_role("heading", name="आने वाली सुनवाइयाँ")).to_be_visible()
    # Selecting the event opens its complaint.
    event.click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name=f"{ack.tracking_no}: सुनवाई तय")).to_be_visible()
    context.close()

    # The citizen's track page, opened by the link in their SMS, shows the hearing and the same link.
    phone_context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="hi-IN")
    phone = phone_context.new_page()
    phone.set_default_timeout(30_000)
    # (the signed link of the citizen's SMS: number + mobile alone show only the status, issue #10)
    settings = load_settings({}, env={"ESACHIVALAYA_DB": str(server.db_path)})
    phone.goto(signed_track_url(settings, f"{server.url}/track_complaint", ack.complaint_id, ack.tracking_no))
    wait_for_app(phone)
    expect(phone.get_by_role("heading", name="आपकी सुनवाई")).to_be_visible()
    expect(phone.get_by_text(f"{day} {start}", exact=False)).to_be_visible()
    expect(phone.get_by_role("link", name="वीडियो सुनवाई में जुड़ें")).to_have_attribute("href", join_url)
    phone_context.close()

    # The outbox holds the citizen's SMS with the join link (read once the portal lets go of the file).
    server.stop()
    con = connect(server.db_path)
    try:
        with con.cursor() as cur:
            messages = cur.execute("SELECT template, mobile, body, send_after IS NOT NULL, send_after, created_at"
                                   " FROM sms_outbox WHERE complaint_id = ? ORDER BY id",
                                   [ack.complaint_id]).fetchall()
    finally:
        con.close()
    booked_sms = [m for m in messages if m[0] == "hearing_booked"]
    assert len(booked_sms) == 1 and booked_sms[0][1] == f"+91{MOBILE}"
    assert join_url in booked_sms[0][2] and day in booked_sms[0][2] and f"{start} IST" in booked_sms[0][2]
    # The reminders: the day before and 30 minutes before the hearing, each only if that moment was
    # still ahead when it was booked (the booking SMS's time), each held back until exactly then.
    starts_at = datetime.strptime(f"{day} {start}", "%d-%m-%Y %H:%M").replace(tzinfo=IST_ZONE)
    booked_at = booked_sms[0][5]
    expected = [(name, starts_at - lead) for name, lead in (("reminder_day_before", timedelta(days=1)),
                                                           ("reminder_30_min", timedelta(minutes=30)))
                if starts_at - lead > booked_at]
    assert [(m[0], m[4]) for m in messages if m[3]] == expected
