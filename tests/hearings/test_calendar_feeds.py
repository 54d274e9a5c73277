"""Officers' calendar feeds (lib/hearings/feeds.py) on both engines: each feed holds what its officer's
calendar page shows (the DC's office the district's, a department officer their own), read back with the
icalendar package; the token is stored hashed and a new one, a deactivation or a password reset stops
the old address; every fetch is audited by code, never with the token."""
from __future__ import annotations

import hashlib
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from lib.casework import actions
from lib.citizen.filing import UploadedFile, file_complaint
from lib.core.problems import InvalidInput
from lib.hearings import booking, feeds, officers, rules, slots
from lib.staff import administration, signin
from tests.conftest import add_demo_accounts, jpeg_bytes, make_form, valid_aadhaar

pytestmark = pytest.mark.engines

IST = ZoneInfo("Asia/Kolkata")
USERS = {u.username: u for u in signin.DEMO_USERS}
DC, PHED, ULB = USERS["dc_rewari"], USERS["officer_phed"], USERS["officer_ulb"]
SMALL_ID = UploadedFile("aadhaar.jpg", jpeg_bytes(60, 40))
NAME, MOBILE, AADHAAR = "Zorawar Quillfeather", "9811122233", valid_aadhaar()


def hearing_day() -> datetime:
    day = datetime.now(IST).date() + timedelta(days=2)
    while not slots.is_hearing_day(rules.DEFAULT_RULES, day):
        day += timedelta(days=1)
    return datetime.combine(day, time(9), tzinfo=IST)


@pytest.fixture
def office(con, settings, choices):
    """Two accepted PHED complaints, one heard by the DC and one by the PHED officer."""
    add_demo_accounts(con)
    officers.ensure_default_rules(con)
    officers.set_rules(con, "officer_phed", "XEN PHED", "कार्यकारी अभियंता", rules.DEFAULT_RULES, "admin_rewari")
    numbers = {}
    now = hearing_day()
    for who, mobile in (("dc_rewari", MOBILE), ("officer_phed", "9812345678")):
        ack = file_complaint(con, settings, make_form(id_document=SMALL_ID, language="en", preferred_dates=(),
                                                      name=NAME, mobile=mobile, id_number=AADHAAR),
                             choices, track_url="http://x/t")
        actions.start_scrutiny(con, DC, ack.complaint_id, 0)
        actions.accept(con, DC, ack.complaint_id, 1)
        booking.book_hearing(con, DC, ack.complaint_id, 2, who, now=now)
        numbers[who] = ack.tracking_no
    return numbers


def read(con, token: str) -> icalendar.Calendar | None:
    body = feeds.serve_feed(con, token)
    return None if body is None else icalendar.Calendar.from_ical(body)


def summaries(calendar: icalendar.Calendar) -> set[str]:
    return {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}


def rows(con, sql, params=()):
    with con.cursor() as cur:
        return cur.execute(sql, list(params)).fetchall()


def event_complaint(con, tracking_no: str) -> int:
    return rows(con, "SELECT id FROM complaints WHERE tracking_no = ?", [tracking_no])[0][0]


def test_each_feed_holds_what_its_calendar_page_shows_and_nothing_of_the_citizen(con, office):
    dc, phed, ulb = (feeds.make_feed(con, u, "en") for u in (DC, PHED, ULB))
    district = read(con, dc)
    assert str(district["X-WR-CALNAME"]) == "Hearings: Rewari district"
    assert summaries(district) == {f"Hearing {office['dc_rewari']}", f"Hearing {office['officer_phed']}"}
    # The PHED officer's feed: their own hearing, not the DC's hearing on another PHED complaint.
    own = read(con, phed)
    assert summaries(own) == {f"Hearing {office['officer_phed']}"}
    assert str(own["X-WR-CALNAME"]) == "Hearings: XEN PHED"
    [event] = own.walk("VEVENT")
    [held] = [h for h in booking.hearings_of(con, event_complaint(con, office["officer_phed"])) if h.status == "booked"]
    assert event.decoded("DTSTART") == held.starts_at and str(event["LOCATION"]) == held.join_url
    assert summaries(read(con, ulb)) == set()                # no hearing of theirs: an empty, valid calendar
    for token in (dc, phed):
        text = feeds.serve_feed(con, token).replace("\r\n ", "")
        for secret in (NAME, "Zorawar", MOBILE, MOBILE[-4:], "9812345678", AADHAAR, AADHAAR[-4:], "हमारी गली"):
            assert secret not in text, secret



def test_the_feed_speaks_the_language_it_was_made_in(con, office):
    token = feeds.make_feed(con, DC, "hi")
    calendar = read(con, token)
    assert str(calendar["X-WR-CALNAME"]) == "सुनवाइयाँ: रेवाड़ी ज़िला"
    assert f"सुनवाई {office['dc_rewari']}" in summaries(calendar)


def test_a_new_address_stops_the_old_one_and_stopping_ends_the_new_one(con, office):
    old = feeds.make_feed(con, PHED, "en")
    assert read(con, old) is not None
    new = feeds.make_feed(con, PHED, "en")
    assert new != old
    assert read(con, old) is None
    assert summaries(read(con, new)) == {f"Hearing {office['officer_phed']}"}
    assert feeds.stop_feed(con, PHED) is True
    assert read(con, new) is None and feeds.live_feed_since(con, "officer_phed") is None
    assert feeds.stop_feed(con, PHED) is False


def test_deactivation_and_a_password_reset_stop_the_feed(con, office):
    token = feeds.make_feed(con, PHED, "en")
    assert feeds.live_feed_since(con, "officer_phed") is not None
    administration.set_user_active(con, "officer_phed", False, "admin_rewari")
    assert read(con, token) is None
    # Active again: the old address stays dead (the session version moved on); a new one works.
    administration.set_user_active(con, "officer_phed", True, "admin_rewari")
    assert read(con, token) is None and feeds.live_feed_since(con, "officer_phed") is None
    token = feeds.make_feed(con, PHED, "en")
    assert read(con, token) is not None
    administration.reset_password(con, "officer_phed", "Another-Passw0rd-2026", "admin_rewari")
    assert read(con, token) is None
    # The DC's feed lives on through all of it.
    assert read(con, feeds.make_feed(con, DC, "en")) is not None


def test_only_the_token_hash_is_kept_and_the_audit_names_the_user_never_the_token(con, office):
    token = feeds.make_feed(con, PHED, "en")
    assert len(token) >= 43 and token != feeds.make_feed(con, ULB, "en")     # 32 random bytes, URL-safe
    assert rows(con, "SELECT token_hash FROM calendar_feeds WHERE username = 'officer_phed'") == [
        (hashlib.sha256(token.encode()).hexdigest(),)]
    feeds.serve_feed(con, token)
    feeds.serve_feed(con, token[:-1] + ("A" if token[-1] != "A" else "B"))
    feeds.serve_feed(con, "x" * 5000)
    fetches = rows(con, "SELECT actor, target, detail FROM audit_log WHERE action = 'calendar_feed.fetch' ORDER BY id")
    assert fetches == [("officer_phed", None, "200"), ("ical:refused", None, "404"), ("ical:refused", None, "404")]
    everything = str(rows(con, "SELECT * FROM audit_log")) + str(rows(con, "SELECT * FROM calendar_feeds"))
    assert token not in everything and token[:12] not in everything


def test_roles_without_a_hearings_calendar_get_no_feed(con, office):
    for user in (USERS["analyst_rewari"], USERS["admin_rewari"]):
        with pytest.raises(InvalidInput) as refused:
            feeds.make_feed(con, user, "en")
        assert refused.value.keys == {"agenda.feed.error.role"}
    assert rows(con, "SELECT count(*) FROM calendar_feeds") == [(0,)]
    assert rows(con, "SELECT count(*) FROM audit_log WHERE action LIKE 'calendar_feed.%'") == [(0,)]
