"""Appeals (issue #15) through AppTest: the citizen appeals on the track page after "not solved" (proven by
the SMS code), is told clearly when the 30 days are over; the appellate officer's Appeals page sends a
complaint back or upholds its disposal; the admin creates appellate accounts."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from lib.casework import actions
from lib.casework.steps import IST
from lib.citizen import track_guard
from lib.citizen.filing import file_complaint, load_form_choices
from lib.staff import signin
from tests.citizen.test_track_page import page_text
from tests.conftest import PROJECT_DIR, make_form, open_portal_as
from tests.staff.test_admin_page import fill_new_user, open_admin, quick_bcrypt, table  # noqa: F401  (a fixture)

MOBILE = "9812345678"
USERS = {u.username: u for u in signin.DEMO_USERS}
REASON = "Water still stops every evening; the valve was never replaced."


@pytest.fixture(autouse=True)
def fresh_portal(demo_users, monkeypatch):
    monkeypatch.setattr(track_guard, "BASE_WAIT", timedelta(minutes=20))


def connection():
    from lib.ui import connection as app_connection      # the app's own cached connection
    return app_connection()


def query(sql: str, params=()) -> list[tuple]:
    with connection().cursor() as cur:
        return cur.execute(sql, list(params)).fetchall()


def version(cid: int) -> int:
    return query("SELECT version FROM complaints WHERE id = ?", [cid])[0][0]


def resolved_complaint(resolved_at: datetime | None = None):
    """A complaint the DC resolved (at `resolved_at`, else now): (id, tracking number)."""
    from lib.ui import settings
    con = connection()
    ack = file_complaint(con, settings(), make_form(mobile=MOBILE), load_form_choices(con),
                         track_url=settings().track_url)
    cid, dc = ack.complaint_id, USERS["dc_rewari"]
    actions.start_scrutiny(con, dc, cid, version(cid))
    actions.accept(con, dc, cid, version(cid))
    actions.give_directions(con, dc, cid, version(cid),
                            [("PHED", "Restore the supply", datetime.now(IST).date() + timedelta(days=5))])
    actions.file_report(con, USERS["officer_phed"], cid, version(cid), "Supply restored on Monday.")
    actions.resolve(con, dc, cid, version(cid), track_url=settings().track_url, now=resolved_at)
    return cid, ack.tracking_no


def proven_track_page(tracking_no: str):
    """The track page in Hindi, after number + mobile and the one-time code from the SMS."""
    at = open_portal_as(None, "pages/track_complaint.py")
    at.text_input(key="track_no").input(tracking_no)
    at.text_input(key="track_mobile").input(MOBILE)
    at.button(key="track_submit").click().run()
    at.button(key="send_code").click().run()
    body = query("SELECT body FROM sms_outbox WHERE template = 'otp' ORDER BY id DESC LIMIT 1")[0][0]
    at.text_input(key="track_code").input(re.search(r"कोड (\d{6})", body).group(1))
    at.button(key="track_code_submit").click().run()
    assert not at.exception
    return at


def answer_not_solved(at):
    at.radio(key="feedback_answer").set_value("not_solved")
    at.button(key="feedback_submit").click().run()
    assert not at.exception
    return at


def test_after_not_solved_the_citizen_appeals_on_the_track_page():
    cid, tracking_no = resolved_complaint()
    at = proven_track_page(tracking_no)
    assert not at.text_area                                      # no appeal before "not solved"
    at = answer_not_solved(at)
    assert "अपील" in [s.value for s in at.subheader]
    # An empty reason: a clear error, nothing filed.
    at.button(key="appeal_submit").click().run()
    assert [e.value for e in at.error] == ["यह भरना ज़रूरी है।"]
    assert query("SELECT count(*) FROM appeals")[0][0] == 0
    at.text_area(key="appeal_reason").input(REASON)
    at.button(key="appeal_submit").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("आपकी अपील दर्ज हो गई है")
    assert "अपीलीय अधिकारी के पास है" in at.info[-1].value
    assert not at.text_area                                      # one appeal: the form is gone
    assert query("SELECT status, reason FROM appeals WHERE complaint_id = ?", [cid]) == [("pending", REASON)]
    assert "नागरिक ने अपील की" in page_text(at)                 # in the public history


def test_after_30_days_the_track_page_says_the_appeal_time_is_over():
    resolved_at = datetime.now(IST) - timedelta(days=45)
    cid, tracking_no = resolved_complaint(resolved_at)
    con = connection()
    from lib.casework.steps import Citizen
    actions.record_feedback(con, Citizen(tracking_no, "+91" + MOBILE), cid, version(cid), "not_solved",
                            now=resolved_at + timedelta(days=10))
    at = proven_track_page(tracking_no)
    assert not at.text_area
    assert any("अपील का समय" in w.value and "30 दिनों" in w.value for w in at.warning)


def test_a_solved_answer_offers_no_appeal():
    cid, tracking_no = resolved_complaint()
    at = proven_track_page(tracking_no)
    at.radio(key="feedback_answer").set_value("solved")
    at.button(key="feedback_submit").click().run()
    assert not at.exception
    assert "अपील" not in [s.value for s in at.subheader] and not at.text_area


def appealed_complaint():
    cid, tracking_no = resolved_complaint()
    answer_not_solved(proven_track_page(tracking_no))
    from lib.casework import appeals
    from lib.casework.steps import Citizen
    appeals.file_appeal(connection(), Citizen(tracking_no, "+91" + MOBILE), cid, REASON)
    return cid, tracking_no


def open_appeal(tracking_no: str):
    at = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=60)
    at.secrets["keys"] = {}
    for name, value in (("authentication_status", True), ("username", "adc_rewari"), ("language", "en")):
        at.session_state[name] = value
    at.run()
    assert at.title[0].value == "Appeals"                        # the appellate officer's first page
    assert tracking_no in set(at.dataframe[0].value["Tracking number"])
    at.selectbox(key="appeals_pick").set_value(tracking_no).run()
    assert not at.exception
    assert REASON in page_text(at)
    return at


def test_the_appellate_officer_sends_it_back_to_the_department():
    cid, tracking_no = appealed_complaint()
    at = open_appeal(tracking_no)
    at.button(key="appeal_send_back_submit").click().run()      # no directions: refused, nothing changes
    assert [e.value for e in at.error] == ["This is required."]
    assert query("SELECT status FROM appeals")[0][0] == "pending"
    at.text_area(key="appeal_directions").input("Replace the valve and report with photos.")
    at.button(key="appeal_send_back_submit").click().run()
    assert not at.exception
    assert at.success[0].value.startswith(f"{tracking_no} is sent back to the department")
    assert query("SELECT status FROM appeals")[0][0] == "sent_back"
    assert query("SELECT status, department_code FROM complaints WHERE id = ?", [cid]) == [("with_department", "PHED")]
    assert at.info[0].value == "No appeal is waiting for a decision."
    at.toggle(key="appeals_show_all").set_value(True).run()
    decided = at.dataframe[0].value.set_index("Tracking number").loc[tracking_no]
    assert (decided["Appeal"], decided["Complaint status"]) == ("Sent back", "With the department")
    # The department officer finds it in their queue.
    officer = open_portal_as("officer_phed")
    assert tracking_no in page_text(officer)


def test_the_appellate_officer_upholds_the_disposal():
    cid, tracking_no = appealed_complaint()
    at = open_appeal(tracking_no)
    at.text_area(key="appeal_uphold_remark").input("Site report shows the supply restored.")
    at.button(key="appeal_uphold_submit").click().run()
    assert not at.exception
    assert at.success[0].value == f"{tracking_no}: the disposal is upheld and the complaint is closed."
    assert query("SELECT status FROM complaints WHERE id = ?", [cid]) == [("closed",)]
    assert query("SELECT template FROM sms_outbox WHERE complaint_id = ? ORDER BY id DESC LIMIT 1",
                 [cid]) == [("appeal_upheld",)]


def test_the_admin_creates_an_appellate_officer():
    admin = open_admin()
    fill_new_user(admin, username="adc_kosli", name="ADC Kosli", role="appellate", department="__none__")
    admin.button(key="add_user_submit").click().run()
    assert not admin.exception
    assert admin.success[0].value == "User adc_kosli added."
    assert table(admin, "Username").set_index("Username").loc["adc_kosli", "Role"] == "Appellate officer (ADC)"
    assert signin.active_user(connection(), "adc_kosli").role == "appellate"


def test_the_analytics_page_counts_appeals():
    appealed_complaint()
    at = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=90)
    at.secrets["keys"] = {}
    for name, value in (("authentication_status", True), ("username", "analyst_rewari"), ("language", "en")):
        at.session_state[name] = value
    at.run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Appeals"] == "1"
    appeals_table = next(d.value for d in at.dataframe if "Sent back" in d.value.columns)
    assert appeals_table.to_dict("records")[0]["Appeals"] == 1
