"""The hearings calendar: what each role sees, the DC's briefing, FullCalendar events, the .ics export (parsed
with the icalendar package), and the calendar page itself (AppTest)."""
from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib.hearings import booking, calendar_export, officers, officers as hearing_officers_mod, rules, slots
from lib.casework import actions
from lib.staff import signin
from lib.core.config import load_settings
from lib.db import hearings as hearings_db
from lib.db.connect import transaction
from lib.citizen.filing import UploadedFile, file_complaint, load_form_choices
from lib.ops.startup import open_portal_database
from lib.core.states import HOLDING, HearingStatus
from tests.conftest import add_demo_accounts, jpeg_bytes, make_form

pytestmark = pytest.mark.engines   # every test here that opens the portal runs on DuckDB and on PostgreSQL

ROOT = Path(__file__).resolve().parents[2]
IST = ZoneInfo("Asia/Kolkata")
USERS = {u.username: u for u in signin.DEMO_USERS}
DC, PHED, ULB = USERS["dc_rewari"], USERS["officer_phed"], USERS["officer_ulb"]
SMALL_ID = UploadedFile("aadhaar.jpg", jpeg_bytes(60, 40))
VILLAGE = 62658                       # Aakera, tehsil Rewari
FAMILY = "1A2B3C4D"


def hearing(hid: int, start: datetime, status="booked", officer="dc_rewari", minutes=10) -> booking.Hearing:
    return booking.Hearing(hid, hid, officer, None, start, start + timedelta(minutes=minutes),
                           f"esachivalaya-room{hid}", f"https://meet.jit.si/esachivalaya-room{hid}",
                           HearingStatus(status), "dc_rewari", start - timedelta(days=2))


def scheduled(hid, start, status="booked", officer="dc_rewari") -> calendar_export.ScheduledHearing:
    return calendar_export.ScheduledHearing(hearing(hid, start, status, officer), f"RWR-2026-{hid:06d}",
                                            "hearing_scheduled", "WATER", VILLAGE)


START = datetime(2026, 12, 7, 15, 0, tzinfo=IST)
TITLES = {"dc_rewari": "उपायुक्त, रेवाड़ी", "officer_phed": "XEN PHED"}


# ---- the .ics, parsed by a real iCalendar reader ----

def test_the_ics_file_is_read_by_icalendar_with_times_in_ist():
    shown = [scheduled(1, START), scheduled(2, START + timedelta(minutes=10), "cancelled"),
             scheduled(3, START + timedelta(days=1), "attended", "officer_phed")]
    text = calendar_export.hearings_ics(shown, "सुनवाइयाँ: उपायुक्त रेवाड़ी", "hi", TITLES,
                                        now=datetime(2026, 12, 1, 10, 0, tzinfo=IST))
    assert text.endswith("\r\n") and all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    cal = icalendar.Calendar.from_ical(text)
    assert str(cal["X-WR-CALNAME"]) == "सुनवाइयाँ: उपायुक्त रेवाड़ी"
    events = cal.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [f"hearing-{i}@esachivalaya.rewari" for i in (1, 2, 3)]
    first = events[0]
    assert first.decoded("DTSTART") == START and first.decoded("DTSTART").utcoffset() == timedelta(hours=5, minutes=30)
    assert first.decoded("DTEND") - first.decoded("DTSTART") == timedelta(minutes=10)
    assert str(first["SUMMARY"]) == "सुनवाई RWR-2026-000001"
    assert str(first["URL"]) == "https://meet.jit.si/esachivalaya-room1"
    # The long Hindi description (commas escaped) was folded over several lines and comes back whole.
    assert str(first["DESCRIPTION"]) == ("ई-सचिवालय: शिकायत RWR-2026-000001 की सुनवाई, उपायुक्त, रेवाड़ी के साथ। "
                                         "वीडियो कक्ष: https://meet.jit.si/esachivalaya-room1")
    assert [str(e["STATUS"]) for e in events] == ["CONFIRMED", "CANCELLED", "CONFIRMED"]
    assert cal.walk("VTIMEZONE")[0]["TZID"] == "Asia/Kolkata"


def test_the_downloaded_ics_of_a_real_booking_carries_no_citizen_details(portal_env, monkeypatch):
    """A complaint filed with a distinctive name, mobile and Aadhaar, accepted and booked through the
    portal's own functions; the .ics as the export builds it and as the calendar page's download
    button hands it out holds the tracking number and the hearing's place (its video room), and
    nothing that names or reaches the citizen."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    from tests.conftest import valid_aadhaar

    name, mobile, aadhaar = "Zorawar Quillfeather", "9811122233", valid_aadhaar()
    st.cache_resource.clear()
    settings = load_settings({})
    con = open_portal_database(settings)
    signin.create_demo_users(con)
    hearing_officers_mod.ensure_default_rules(con)
    ack = file_complaint(con, settings, make_form(id_document=SMALL_ID, language="en", name=name, mobile=mobile,
                                                  id_number=aadhaar, preferred_dates=()),
                         load_form_choices(con), track_url="http://x/t")
    actions.start_scrutiny(con, DC, ack.complaint_id, 0)
    actions.accept(con, DC, ack.complaint_id, 1)
    now = datetime.now(IST)
    booking.book_hearing(con, DC, ack.complaint_id, 2, "dc_rewari", now=now)
    [booked] = booking.hearings_of(con, ack.complaint_id)
    exported = calendar_export.hearings_ics(
        calendar_export.scheduled_hearings(con, DC, now.date(), now.date() + timedelta(days=366), "dc_rewari"),
        "Hearings", "en", TITLES, now).encode("utf-8")
    con.close()

    downloads = []
    original_store = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):
        downloads.append((filename, path_or_data))
        return original_store(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    open_calendar("dc_rewari")
    downloaded = [data for filename, data in downloads if filename == "hearings-dc_rewari.ics"][-1]   # last run
    st.cache_resource.clear()

    for data in (exported, downloaded):
        [event] = icalendar.Calendar.from_ical(data).walk("VEVENT")
        assert ack.tracking_no in str(event["SUMMARY"])
        assert str(event["LOCATION"]) == booked.join_url and event.decoded("DTSTART") == booked.starts_at
        text = data.decode("utf-8").replace("\r\n ", "")          # unfolded
        for secret in (name, "Zorawar", "Quillfeather", mobile, mobile[-4:], aadhaar, aadhaar[-4:],
                       "हमारी गली"):
            assert secret not in text, secret


# ---- FullCalendar events ----

def test_events_have_explicit_ist_offsets_and_a_colour_per_status():
    events = calendar_export.calendar_events(
        [scheduled(1, START), scheduled(2, START, "no_show"), scheduled(3, START, "attended")], "en",
        {s.place_lgd: "Khursaid Nagar" for s in [scheduled(1, START)]})
    assert events[0]["start"] == "2026-12-07T15:00:00+05:30" and events[0]["end"] == "2026-12-07T15:10:00+05:30"
    assert events[0]["title"] == "RWR-2026-000001 · Khursaid Nagar"
    assert len({e["backgroundColor"] for e in events}) == 3
    options = calendar_export.calendar_options("hi", START.date())
    assert options["timeZone"] == "Asia/Kolkata" and options["initialDate"] == "2026-12-07"
    assert set(options["headerToolbar"]["right"].split(",")) == {"dayGridMonth", "timeGridWeek", "timeGridDay", "listWeek"}
    assert options["buttonText"]["today"] == "आज"


def test_only_an_event_click_opens_a_hearing():
    click = {"callback": "eventClick", "eventClick": {"event": {"id": "42", "title": "x"}}}
    assert calendar_export.clicked_hearing(click) == 42
    assert calendar_export.clicked_hearing({"callback": "dateClick", "dateClick": {}}) is None
    assert calendar_export.clicked_hearing({"callback": "eventClick", "eventClick": {"event": {"id": "x"}}}) is None
    assert calendar_export.clicked_hearing(None) is None


# ---- who sees which hearings, and the briefing ----

def hearing_day() -> date:
    day = datetime.now(IST).date() + timedelta(days=2)
    while not slots.is_hearing_day(rules.DEFAULT_RULES, day):
        day += timedelta(days=1)
    return day


@pytest.fixture
def district(con, settings, choices):
    """Three complaints: an earlier one of the same family (reported on by PHED), one from another village,
    and the one with the hearing; the DC and the PHED officer both hold hearings."""
    add_demo_accounts(con)
    officers.ensure_default_rules(con)
    officers.set_rules(con, "officer_phed", "XEN PHED", "कार्यकारी अभियंता", rules.DEFAULT_RULES, "admin_rewari")

    def accepted(**overrides) -> int:
        form = make_form(id_document=SMALL_ID, language="en", preferred_dates=(), **overrides)
        cid = file_complaint(con, settings, form, choices, track_url="http://x/t").complaint_id
        actions.start_scrutiny(con, DC, cid, 0)
        actions.accept(con, DC, cid, 1)
        return cid

    earlier = accepted(id_type="ppp", id_number=FAMILY, place_lgd=VILLAGE, ward=None)
    actions.give_directions(con, DC, earlier, 2, [("PHED", "Repair the handpump", datetime.now(IST).date() + timedelta(days=5))])
    actions.file_report(con, PHED, earlier, 3, "Handpump repaired and tested.")
    elsewhere = accepted(mobile="98123 45678")               # Rewari town, another person
    today = accepted(id_type="ppp", id_number=FAMILY, place_lgd=VILLAGE, ward=None, subject="Handpump broken again")
    day = hearing_day()
    now = datetime.combine(day, time(9), tzinfo=IST)
    booking.book_hearing(con, DC, today, 2, "dc_rewari", now=now)
    booking.book_hearing(con, DC, elsewhere, 2, "officer_phed", now=now)
    return {"earlier": earlier, "elsewhere": elsewhere, "today": today, "day": day}


def test_the_dc_sees_every_officer_and_an_officer_only_their_own(con, district):
    day = district["day"]
    everyone = calendar_export.scheduled_hearings(con, DC, day, day)
    assert {(s.hearing.complaint_id, s.hearing.officer) for s in everyone} == {
        (district["today"], "dc_rewari"), (district["elsewhere"], "officer_phed")}
    assert [s.hearing.officer for s in calendar_export.scheduled_hearings(con, DC, day, day, "officer_phed")] == ["officer_phed"]
    # The PHED officer asks for everyone's and still gets only their own.
    assert [s.hearing.officer for s in calendar_export.scheduled_hearings(con, PHED, day, day, None)] == ["officer_phed"]
    assert calendar_export.scheduled_hearings(con, ULB, day, day) == []
    assert calendar_export.scheduled_hearings(con, USERS["analyst_rewari"], day, day) == []


def test_the_briefing_brings_the_familys_earlier_complaint_and_the_departments_report(con, district):
    [brief] = [b for b in calendar_export.todays_briefing(con, DC, district["day"])
               if b.scheduled.hearing.complaint_id == district["today"]]
    assert brief.subject == "Handpump broken again"
    [related] = brief.related
    assert related.id == district["earlier"] and related.same_family and related.same_village and not related.same_person
    assert related.same_mobile and related.status == "action_reported" and related.resolved_at is None
    # Beside the video room: the citizen's own earlier complaints only (a village match alone is not theirs).
    assert [r.id for r in calendar_export.earlier_complaints(con, DC, district["today"])] == [district["earlier"]]
    assert calendar_export.earlier_complaints(con, DC, district["elsewhere"]) == []
    assert [(r[1], r[3]) for r in brief.reports] == [("PHED", "Handpump repaired and tested.")]
    assert calendar_export.todays_briefing(con, DC, district["day"] + timedelta(days=1)) == []


# ---- the page (AppTest) ----

@pytest.fixture
def portal(portal_env):
    """The demo accounts, the DC as hearing officer, and one hearing of the DC going on today."""
    st.cache_resource.clear()
    settings = load_settings({})
    con = open_portal_database(settings)
    signin.create_demo_users(con)
    officers.ensure_default_rules(con)
    ack = file_complaint(con, settings, make_form(id_document=SMALL_ID, language="en"), load_form_choices(con),
                         track_url="http://x/t")
    now = datetime.now(IST)
    start = now - timedelta(minutes=30) if now.hour >= 1 else now + timedelta(minutes=5)
    with transaction(con) as cur:      # straight into the table: today may have no slot under the rules
        hearings_db.insert_hearing(cur, complaint_id=ack.complaint_id, officer="dc_rewari", standing_in_for=None,
                                   starts_at=start, ends_at=start + timedelta(hours=2), room="esachivalaya-test",
                                   join_url="https://meet.jit.si/esachivalaya-test", status="booked",
                                   booked_by="dc_rewari", booked_at=now, replaces=None)
    con.close()
    yield ack
    st.cache_resource.clear()


def open_calendar(username: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["keys"] = {}
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.run()
    at.switch_page("pages/calendar.py").run()
    at.radio(key="language_switch").set_value("en").run()
    assert not at.exception, at.exception
    return at


def test_the_dc_gets_the_calendar_todays_briefing_and_the_ics(portal):
    at = open_calendar("dc_rewari")
    assert at.title[0].value == "Hearings calendar"
    [component] = at.get("component_instance")          # FullCalendar: AppTest cannot draw it, but sees its input
    given = json.loads(component.proto.json_args)
    assert [e["title"].split(" · ")[0] for e in given["events"]] == [portal.tracking_no]
    assert given["events"][0]["start"].endswith("+05:30") and given["options"]["timeZone"] == "Asia/Kolkata"
    upcoming = at.dataframe[0].value
    assert upcoming["Tracking number"].tolist() == [portal.tracking_no]
    assert at.subheader[1].value.startswith("Today's hearings")
    assert portal.tracking_no in at.expander[0].label
    assert "हमारी गली में" in [t.value for t in at.text][0]          # the citizen's words, as plain text
    assert at.get("download_button")
    # Opening the complaint from the list goes to its page.
    at.button(key="calendar_open").click().run()
    assert not at.exception, at.exception
    assert at.header[0].value.startswith(f"{portal.tracking_no}: ")          # its detail page


def test_an_officer_without_hearings_sees_none_of_the_dcs(portal):
    at = open_calendar("officer_phed")
    assert at.caption and "No hearings booked in these weeks." in [c.value for c in at.caption]
    assert "No hearings today." in [c.value for c in at.caption]
    assert portal.tracking_no not in str([d.value.to_string() for d in at.dataframe])
