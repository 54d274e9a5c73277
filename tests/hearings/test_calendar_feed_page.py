"""The calendar page's "Subscribe in your calendar app" (AppTest): the address is shown once, on the
portal's public address, and works; a new one stops the old one; stopping ends it."""
from __future__ import annotations

import icalendar
import pytest
import streamlit as st

from lib.core.config import load_settings
from lib.hearings import feeds
from lib.ops.startup import open_portal_database
from tests.hearings.test_calendar_page import open_calendar, portal  # noqa: F401  (the fixture)

PUBLIC_URL = "https://esachivalaya.rewari.example"


@pytest.fixture
def public_portal(monkeypatch, portal):  # noqa: F811
    monkeypatch.setenv("ESACHIVALAYA_PUBLIC_URL", PUBLIC_URL)
    st.cache_resource.clear()
    return portal


def shown_urls(at) -> list[str]:
    return [c.value for c in at.code if "/api/ical/" in c.value]


def serve(url: str) -> str | None:
    """What the feed's route answers for this address (None: 404)."""
    token = url.removeprefix(f"{PUBLIC_URL}/api/ical/").removesuffix(".ics")
    con = open_portal_database(load_settings({}))
    try:
        return feeds.serve_feed(con, token)
    finally:
        con.close()


def test_the_dc_makes_an_address_sees_it_once_and_a_new_one_stops_it(public_portal):
    at = open_calendar("dc_rewari")
    assert "Subscribe in your calendar app" in [s.value for s in at.subheader]
    assert "You have no subscription address yet." in [c.value for c in at.caption]
    assert shown_urls(at) == []

    at.button(key="calendar_feed_make").click().run()
    assert not at.exception, at.exception
    [first] = shown_urls(at)
    assert first.startswith(f"{PUBLIC_URL}/api/ical/") and first.endswith(".ics")
    assert any("shown this once" in w.value for w in at.warning)
    calendar = icalendar.Calendar.from_ical(serve(first))
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == [f"Hearing {public_portal.tracking_no}"]

    at.run()                                      # any later run: the address is not shown again
    assert shown_urls(at) == []
    assert any(c.value.startswith("Your subscription address works since ") for c in at.caption)

    at.button(key="calendar_feed_make").click().run()
    assert not at.exception, at.exception
    [second] = shown_urls(at)
    assert second != first
    assert serve(first) is None and serve(second) is not None

    at.button(key="calendar_feed_stop").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [
        "The subscription address is stopped: calendar apps get no more hearings from it."]
    assert serve(second) is None
    assert "You have no subscription address yet." in [c.value for c in at.caption]


def test_an_officer_subscribes_to_their_own_hearings_only(public_portal):
    at = open_calendar("officer_phed")
    assert any(c.value.startswith("A secret address for your calendar app") and "every officer" not in c.value
               for c in at.caption)
    at.button(key="calendar_feed_make").click().run()
    assert not at.exception, at.exception
    [url] = shown_urls(at)
    assert icalendar.Calendar.from_ical(serve(url)).walk("VEVENT") == []      # the DC's hearing is not theirs
