"""The complaint detail page as the DC and as an officer, and the citizen's answer on the track page (AppTest)."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib.casework import actions
from lib.staff import signin
from lib.core.config import load_settings
from lib.citizen.filing import file_complaint, load_form_choices
from lib.ops.startup import open_portal_database
from tests.conftest import jpeg_bytes, make_form, open_portal_as, valid_aadhaar

pytestmark = pytest.mark.engines   # every test here that opens the portal runs on DuckDB and on PostgreSQL

ROOT = Path(__file__).resolve().parents[2]
IST = ZoneInfo("Asia/Kolkata")
AADHAAR = valid_aadhaar()
USERS = {u.username: u for u in signin.DEMO_USERS}


@pytest.fixture
def portal(portal_env):
    """A database with the demo accounts and three complaints: one new, one with PHED, one with ULB."""
    st.cache_resource.clear()
    settings = load_settings({})
    con = open_portal_database(settings)
    signin.create_demo_users(con)
    choices = load_form_choices(con)

    def new(**overrides):
        return file_complaint(con, settings, make_form(**overrides), choices, track_url="http://x/track")

    def with_department(ack, department):
        dc = USERS["dc_rewari"]
        actions.start_scrutiny(con, dc, ack.complaint_id, 0)
        actions.accept(con, dc, ack.complaint_id, 1)
        due = datetime.now(IST).date() + timedelta(days=5)
        actions.give_directions(con, dc, ack.complaint_id, 2, [(department, "Restore the water supply", due)])

    fresh = new(id_number=AADHAAR, language="en")
    phed, ulb = new(), new(department_code="ULB", category_code="STREETLIGHT")
    with_department(phed, "PHED")
    with_department(ulb, "ULB")
    con.close()
    yield {"fresh": fresh, "phed": phed, "ulb": ulb}
    st.cache_resource.clear()





def open_detail(at: AppTest, tracking_no: str) -> AppTest:
    at.switch_page("pages/complaint_detail.py").run()
    at.radio(key="language_switch").set_value("en").run()
    at.text_input(key="detail_no").input(tracking_no).run()
    assert not at.exception
    return at


def complaint_row(complaint_id: int) -> tuple:
    from lib.ui import connection           # the app's own cached connection, in this process
    with connection().cursor() as cur:
        return cur.execute("SELECT status, version FROM complaints WHERE id = ?", [complaint_id]).fetchall()[0]


def query(sql: str) -> list[tuple]:
    from lib.ui import connection
    with connection().cursor() as cur:
        return cur.execute(sql).fetchall()


def every_text(at: AppTest) -> str:
    """Everything the page shows as text, table cells included."""
    parts = [str(getattr(e, "value", "")) for kind in ("title", "header", "subheader", "text", "caption",
                                                         "success", "error", "warning", "info")
             for e in at.get(kind)]
    parts += [df.value.to_string() for df in at.dataframe]
    return "\n".join(parts)


def test_dc_accepts_a_complaint_through_the_page_and_sees_aadhaar_only_masked(portal):
    ack = portal["fresh"]
    at = open_detail(open_portal_as("dc_rewari"), ack.tracking_no)
    assert at.header[0].value == f"{ack.tracking_no}: Received"
    shown = every_text(at)
    assert f"XXXX XXXX {AADHAAR[-4:]}" in shown
    assert AADHAAR not in shown and AADHAAR[:8] not in shown
    assert any("हमारी गली में पिछले दस दिनों से" in t.value for t in at.text)     # description, as plain text
    assert not at.dataframe                     # every fact on the page at once: no table that scrolls inside

    at.text_area(key="start_scrutiny_remark").input("Papers look complete")
    at.button(key="start_scrutiny_submit").click().run()
    assert not at.exception
    assert at.success[0].value == "Done: Start verification. Status now: Being verified."
    at.button(key="accept_submit").click().run()
    assert not at.exception
    assert at.header[0].value == f"{ack.tracking_no}: Accepted"
    assert complaint_row(ack.complaint_id) == ("accepted", 2)
    assert query(f"SELECT template FROM sms_outbox WHERE complaint_id = {ack.complaint_id} ORDER BY id") == [
        ("acknowledgement",), ("accepted",)]
    shown = [t.value for t in at.text]
    at_accept = shown.index("Status changed to: Accepted")
    assert shown[at_accept - 1] == "dc_rewari"              # the history's row: who, what happened
    assert "Papers look complete" in shown


def test_a_stale_page_says_who_changed_it_and_saves_nothing(portal):
    ack = portal["fresh"]
    at = open_detail(open_portal_as("dc_rewari"), ack.tracking_no)
    from lib.ui import connection
    actions.start_scrutiny(connection(), USERS["dc_rewari"], ack.complaint_id, 0)   # another desk, meanwhile
    at.run()
    assert "changed by dc_rewari" in at.warning[0].value
    # Forwarding is still offered under scrutiny ...
    at.text_area(key="forward_remark").input("Belongs to PWD")
    at.button(key="forward_submit").click().run()
    assert "changed by dc_rewari" in at.error[0].value      # ... but refused: this page loaded version 0
    assert complaint_row(ack.complaint_id) == ("under_scrutiny", 1)
    at.button(key="detail_reload").click().run()
    assert not at.warning


def test_officer_files_a_report_on_their_departments_complaint(portal):
    ack = portal["phed"]
    at = open_detail(open_portal_as("officer_phed"), ack.tracking_no)
    assert at.header[0].value == f"{ack.tracking_no}: With the department"
    assert not [b for b in at.button if b.key == "open_id_document"]      # officers never get the ID document
    assert {b.key for b in at.button} >= {"report_submit", "forward_submit"}
    at.text_area(key="report_text").input("Pipeline repaired on Monday; supply restored.")
    at.file_uploader(key="report_file").set_value(("repair.jpg", jpeg_bytes(), "image/jpeg"))
    at.button(key="report_submit").click().run()
    assert not at.exception
    assert at.header[0].value == f"{ack.tracking_no}: Department has reported action"
    assert complaint_row(ack.complaint_id)[0] == "action_reported"
    assert "Pipeline repaired on Monday; supply restored." in [t.value for t in at.text]
    assert query(f"SELECT kind FROM documents WHERE complaint_id = {ack.complaint_id} ORDER BY id") == [
        ("id_proof",), ("atr",)]
    assert at.get("download_button")                   # the attachment can be downloaded


def test_officer_gets_not_found_for_another_departments_complaint(portal):
    at = open_detail(open_portal_as("officer_phed"), portal["ulb"].tracking_no)
    assert at.error[0].value == "No complaint found with this tracking number. Check the number and try again."
    assert not at.header and not at.dataframe
    # The same words as for a number that does not exist at all.
    at.text_input(key="detail_no").input("RWR-2026-999999").run()
    assert at.error[0].value == "No complaint found with this tracking number. Check the number and try again."


def test_citizen_says_not_solved_on_the_track_page_and_it_reopens(portal):
    ack = portal["phed"]
    from lib.ui import connection
    at = open_portal_as()
    con = connection()
    actions.file_report(con, USERS["officer_phed"], ack.complaint_id, 3, "Pipeline repaired on Monday.")
    actions.resolve(con, USERS["dc_rewari"], ack.complaint_id, 4, track_url="http://x/track")

    # The citizen opens the signed link of their SMS (number and mobile alone show only the status).
    from lib.citizen import track_links
    from lib.ui import settings as portal_settings
    link = track_links.signed_track_url(portal_settings(), "http://x/track_complaint", ack.complaint_id, ack.tracking_no)
    at.query_params.update({k: v[0] for k, v in parse_qs(urlsplit(link).query).items()})
    at.switch_page("pages/track_complaint.py").run()
    at.radio(key="language_switch").set_value("en").run()
    assert at.subheader[0].value == "Status: Resolved"
    assert "Directions given to Public Health Engineering (report by" in every_text(at)
    assert "Pipeline repaired" not in every_text(at)                 # reports stay internal
    at.button(key="feedback_submit").click().run()                    # no answer chosen
    assert at.error and complaint_row(ack.complaint_id)[0] == "resolved"

    at.radio(key="feedback_answer").set_value("not_solved")
    at.button(key="feedback_submit").click().run()
    assert not at.exception
    assert at.success[0].value == "Your complaint has been reopened and sent back to the department."
    assert at.subheader[0].value == "Status: With the department"
    what = at.dataframe[-1].value["What happened"].tolist()
    assert what[-3:] == ["Status changed to: Resolved", "Citizen's answer: Not solved",
                         "Reopened: the problem is not solved"]
    assert complaint_row(ack.complaint_id)[0] == "with_department"
    assert not [b for b in at.button if b.key == "feedback_submit"]   # asked once per resolution
