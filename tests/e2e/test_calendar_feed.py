"""Officers' calendar feeds on a real `streamlit run portal.py` (mounted through st.App beside the pages): a
calendar app's plain GET of the secret address gets the officer's hearings as text/calendar; a replaced or
unknown address gets a bare 404. The feeds are made before the portal starts: it then holds the file."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from lib.citizen.filing import UploadedFile, file_complaint, load_form_choices
from lib.core.config import load_settings
from lib.db import hearings as hearings_db
from lib.db.connect import transaction
from lib.hearings import feeds
from lib.ops.startup import open_portal_database
from lib.staff import signin
from tests.conftest import jpeg_bytes, make_form
from tests.e2e.conftest import PortalServer
from tests.e2e.test_api_health import get

IST = ZoneInfo("Asia/Kolkata")
USERS = {u.username: u for u in signin.DEMO_USERS}


def test_a_calendar_app_reads_the_feed_from_the_running_portal(tmp_path, monkeypatch):
    monkeypatch.setenv("ESACHIVALAYA_DB", str(tmp_path / "portal.duckdb"))
    monkeypatch.setenv("ESACHIVALAYA_DEMO", "0")
    settings = load_settings({})
    con = open_portal_database(settings)
    signin.create_demo_users(con)
    ack = file_complaint(con, settings, make_form(id_document=UploadedFile("aadhaar.jpg", jpeg_bytes(60, 40)),
                                                  language="en", name="Zorawar Quillfeather"),
                         load_form_choices(con), track_url="http://x/t")
    start = datetime.now(IST).replace(microsecond=0) + timedelta(days=1)
    with transaction(con) as cur:
        hearings_db.insert_hearing(cur, complaint_id=ack.complaint_id, officer="dc_rewari", standing_in_for=None,
                                   starts_at=start, ends_at=start + timedelta(minutes=10), room="esachivalaya-e2e",
                                   join_url="https://meet.jit.si/esachivalaya-e2e", status="booked",
                                   booked_by="dc_rewari", booked_at=start, replaces=None)
    replaced = feeds.make_feed(con, USERS["dc_rewari"], "en")
    token = feeds.make_feed(con, USERS["dc_rewari"], "en")
    con.close()

    portal = PortalServer(tmp_path)
    try:
        status, headers, body = get(f"{portal.url}/api/ical/{token}.ics")
        assert status == 200
        assert headers["content-type"] == "text/calendar; charset=utf-8"
        [event] = icalendar.Calendar.from_ical(body).walk("VEVENT")
        assert str(event["SUMMARY"]) == f"Hearing {ack.tracking_no}" and event.decoded("DTSTART") == start
        assert b"Zorawar" not in body
        for gone in (replaced, "no-such-token"):
            status, _, body = get(f"{portal.url}/api/ical/{gone}.ics")
            assert (status, body) == (404, b"")
    finally:
        portal.stop()
