"""The complaint page during a hearing (AppTest): Join beside the citizen's earlier complaints, directions while
the hearing is booked, the hearing and its directions recorded in one step from its start, and no form that
Enter submits."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import streamlit as st
from streamlit.proto.Block_pb2 import Block as BlockProto

from lib.casework import actions
from lib.citizen.filing import UploadedFile, file_complaint, load_form_choices
from lib.core.config import load_settings
from lib.hearings import booking, officers
from lib.ops.startup import open_portal_database
from lib.staff import signin
from tests.conftest import jpeg_bytes, make_form, open_portal_as

pytestmark = pytest.mark.engines   # every test here that opens the portal runs on DuckDB and on PostgreSQL

IST = ZoneInfo("Asia/Kolkata")
DC = next(u for u in signin.DEMO_USERS if u.username == "dc_rewari")
SMALL_ID = UploadedFile("aadhaar.jpg", jpeg_bytes(60, 40))


@pytest.fixture
def hearing(portal_env):
    """An earlier resolved complaint of the same citizen, and an accepted one with a hearing booked ahead."""
    st.cache_resource.clear()
    settings = load_settings({})
    con = open_portal_database(settings)
    signin.create_demo_users(con)
    officers.ensure_default_rules(con)
    choices = load_form_choices(con)

    def accepted(**overrides):
        ack = file_complaint(con, settings, make_form(id_document=SMALL_ID, language="en", preferred_dates=(),
                                                      **overrides), choices, track_url="http://x/t")
        actions.start_scrutiny(con, DC, ack.complaint_id, 0)
        actions.accept(con, DC, ack.complaint_id, 1)
        return ack

    earlier = accepted(subject="No water for ten days **bold** <b>x</b>")
    due = datetime.now(IST).date() + timedelta(days=3)
    actions.give_directions(con, DC, earlier.complaint_id, 2, [("PHED", "Restore the supply", due)])
    actions.file_report(con, next(u for u in signin.DEMO_USERS if u.username == "officer_phed"),
                        earlier.complaint_id, 3, "Supply restored on Monday.")
    actions.resolve(con, DC, earlier.complaint_id, 4, track_url="http://x/t")
    now = accepted(subject="Water supply cut again")
    booking.book_hearing(con, DC, now.complaint_id, 2, "dc_rewari")
    with con.cursor() as cur:
        join_url = cur.execute("SELECT join_url FROM hearings WHERE complaint_id = ?", [now.complaint_id]).fetchone()[0]
    con.close()
    yield {"earlier": earlier, "now": now, "join_url": join_url}
    st.cache_resource.clear()


def open_detail(tracking_no: str):
    at = open_portal_as("dc_rewari")
    at.switch_page("pages/complaint_detail.py").run()
    at.radio(key="language_switch").set_value("en").run()
    at.text_input(key="detail_no").input(tracking_no).run()
    assert not at.exception
    return at


def start_hearing_now(complaint_id: int) -> None:
    """Move the booked hearing (and its slot claim) to have begun five minutes ago."""
    from lib.ui import connection
    start = datetime.now(IST) - timedelta(minutes=5)
    with connection().cursor() as cur:
        old = cur.execute("SELECT id, officer, starts_at FROM hearings WHERE complaint_id = ?", [complaint_id]).fetchone()
        cur.execute("UPDATE hearing_slot_claims SET starts_at = ? WHERE hearing_id = ?", [start, old[0]])
        cur.execute("UPDATE hearings SET starts_at = ?, ends_at = ? WHERE id = ?",
                    [start, start + timedelta(minutes=10), old[0]])


def forms(at) -> list:
    """Every st.form block on the page, with its proto."""
    found, stack = [], [at._tree]
    while stack:
        node = stack.pop()
        proto = getattr(node, "proto", None)
        if isinstance(proto, BlockProto) and proto.WhichOneof("type") == "form":
            found.append(node)
        stack.extend(getattr(node, "children", {}).values())
    return found


def test_join_is_the_citizens_link_beside_their_earlier_complaint_and_directions_stay_offered(hearing):
    at = open_detail(hearing["now"].tracking_no)
    [join] = [b for b in at.get("link_button") if b.proto.label == "Join the hearing"]
    assert join.proto.url == hearing["join_url"]
    shown = [t.value for t in at.text]
    # The earlier complaint, how it ended, its citizen's words as plain text (never markdown or HTML).
    assert hearing["earlier"].tracking_no in shown and "Resolved" in shown
    assert "No water for ten days **bold** <b>x</b>" in shown
    # Before the hearing's start: the page says when it can be recorded; directions may be given now.
    assert "The hearing can be recorded from its start" in at.info[-1].value
    assert not [b for b in at.button if b.key == "record_hearing_submit"]
    assert "directions_submit" in {b.key for b in at.button}


def test_no_form_on_the_page_submits_on_enter_and_instructions_are_text_areas(hearing):
    start_hearing_now(hearing["now"].complaint_id)
    at = open_detail(hearing["now"].tracking_no)
    found = forms(at)
    assert len(found) >= 3                          # record the hearing, directions, forward
    assert all(not f.proto.form.enter_to_submit for f in found)
    assert [t.key for t in at.text_input] == ["detail_no"]      # the tracking number box, in no form
    assert {a.key for a in at.text_area} >= {"held_direction_0_instruction", "direction_0_instruction"}


def test_the_hearing_and_two_directions_are_recorded_in_one_step(hearing):
    start_hearing_now(hearing["now"].complaint_id)
    at = open_detail(hearing["now"].tracking_no)
    at.text_area(key="record_hearing_remark").input("Both sides heard")
    at.selectbox(key="held_direction_0_department").set_value("PHED")
    at.text_area(key="held_direction_0_instruction").input("Repair the main line\nand report with photos")
    at.selectbox(key="held_direction_1_department").set_value("PWD")
    at.text_area(key="held_direction_1_instruction").input("Mend the road after the digging")
    at.button(key="record_hearing_submit").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Hearing recorded held; directions sent to Public Health Engineering,")
    assert at.header[0].value == f"{hearing['now'].tracking_no}: With the department"
    shown = [t.value for t in at.text]
    assert "Repair the main line\nand report with photos" in shown       # the new line kept, not a submit
