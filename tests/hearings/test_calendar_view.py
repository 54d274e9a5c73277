"""The hearings calendar as the DC reads it (issue #12): in the portal's language, 24-hour, DD-MM, titles
that say which complaint and where, and opening on the next day that has hearings."""
from __future__ import annotations

from datetime import datetime, timedelta

from lib.hearings import calendar_export
from tests.hearings.test_calendar_page import IST, START, scheduled


def test_the_calendar_speaks_the_portal_s_language_with_24_hour_times_and_day_month_dates():
    hindi = calendar_export.calendar_options("hi", START.date())
    english = calendar_export.calendar_options("en", START.date())
    assert hindi["locale"] == "hi-IN" and english["locale"] == "en-IN"
    assert hindi["buttonText"]["today"] == "आज" and english["buttonText"]["today"] == "Today"
    for options in (hindi, english):
        assert options["eventTimeFormat"]["hour12"] is False and options["slotLabelFormat"]["hour12"] is False
        assert options["dayHeaderFormat"] == {"weekday": "short", "day": "2-digit", "month": "2-digit"}
        assert options["displayEventEnd"] is False           # room for the title in a 10-minute slot


def test_an_event_names_the_complaint_and_its_place():
    events = calendar_export.calendar_events([scheduled(12, START)], "hi", {scheduled(12, START).place_lgd: "खुरसैद नगर"})
    assert events[0]["title"] == "RWR-2026-000012 · खुरसैद नगर"


def test_the_calendar_opens_on_the_next_day_with_a_hearing_when_today_has_none():
    today = START.date() - timedelta(days=3)
    later = [scheduled(1, START + timedelta(days=2)), scheduled(2, START), scheduled(3, START - timedelta(days=9))]
    assert calendar_export.opening_day(later, today) == START.date()
    # Called-off hearings do not count; with none ahead the calendar opens on today.
    assert calendar_export.opening_day([scheduled(4, START, "cancelled")], today) == today
    assert calendar_export.opening_day([], today) == today
    # A hearing today keeps today.
    now = datetime(2026, 12, 7, 9, 0, tzinfo=IST)
    assert calendar_export.opening_day([scheduled(5, START)], now.date()) == now.date()
