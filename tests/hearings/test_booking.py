"""Booking hearings from a complaint: the slot, the video room, the SMS with its reminders, moving, cancelling,
held and missed hearings, all in the complaint's own transaction; and 20 desks booking the same slot at once."""
from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from lib.casework import actions, steps
from lib.hearings import booking, officers, rules, slots
from lib.staff import signin
from lib.citizen import tracking
from lib.casework.steps import StaleComplaint
from lib.citizen.filing import UploadedFile, file_complaint
from lib.hearings.rules import HearingRefused, OfficeRules
from lib.hearings.slots import SlotTaken
from lib.core.lifecycle import TransitionRefused
from lib.core.problems import InvalidInput
from tests.conftest import add_demo_accounts, jpeg_bytes, make_form

IST = ZoneInfo("Asia/Kolkata")
USERS = {u.username: u for u in signin.DEMO_USERS}
DC = USERS["dc_rewari"]
MOBILE = "9876543210"
SMALL_ID = UploadedFile("aadhaar.jpg", jpeg_bytes(60, 40))
REQUIRED = "This is required."


def hearing_days(after: date, count: int) -> list[date]:
    """The next `count` days with hearings under the default rules (no Tuesday, Sunday or holiday)."""
    found, day = [], after
    while len(found) < count:
        day += timedelta(days=1)
        if slots.is_hearing_day(rules.DEFAULT_RULES, day):
            found.append(day)
    return found


TODAY = datetime.now(IST).date()
FIRST, SECOND, THIRD = hearing_days(TODAY + timedelta(days=2), 3)
# "Now" for these tests: 09:00 on the first hearing day, so that day's 15:00-17:00 slots are all ahead.
NOW = datetime.combine(FIRST, time(9), tzinfo=IST)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=IST)


@pytest.fixture
def office(con):
    add_demo_accounts(con)
    officers.ensure_default_rules(con)
    return con


@pytest.fixture
def accepted(office, settings, choices):
    """File a complaint and accept it; returns its id."""
    def _accepted(**overrides) -> int:
        form = make_form(id_document=SMALL_ID, **overrides)
        cid = file_complaint(office, settings, form, choices, track_url="http://x/track").complaint_id
        actions.start_scrutiny(office, DC, cid, 0)
        actions.accept(office, DC, cid, 1)
        return cid
    return _accepted


def rows(con, sql, params=()):
    with con.cursor() as cur:
        return cur.execute(sql, list(params)).fetchall()


def version(con, cid) -> int:
    return rows(con, "SELECT version FROM complaints WHERE id = ?", [cid])[0][0]


def outbox(con, cid) -> list[tuple]:
    return rows(con, "SELECT template, status, send_after, body, last_error FROM sms_outbox WHERE complaint_id = ?"
                     " AND template <> 'acknowledgement' AND template <> 'accepted' ORDER BY id", [cid])


def hearing_rows(con, cid) -> list[tuple]:
    return rows(con, "SELECT officer, starts_at, status, reason, join_url FROM hearings WHERE complaint_id = ?"
                     " ORDER BY id", [cid])


def claims(con) -> list[tuple]:
    return rows(con, "SELECT officer, starts_at FROM hearing_slot_claims ORDER BY starts_at")


# ---- booking ----

@pytest.mark.engines
def test_first_free_slot_on_the_citizens_date_with_sms_link_and_reminders_in_one_go(office, accepted):
    cid = accepted(preferred_dates=(SECOND,))
    done = booking.book_hearing(office, DC, cid, 2, "dc_rewari", "Please join on time", now=NOW)
    assert (done.status, done.version) == ("hearing_scheduled", 3)
    [(officer, starts_at, status, _, join_url)] = hearing_rows(office, cid)
    assert (officer, starts_at, status) == ("dc_rewari", at(SECOND, 15), "booked")
    assert join_url.startswith("https://meet.jit.si/esachivalaya-")
    assert claims(office) == [("dc_rewari", at(SECOND, 15))]
    sms = outbox(office, cid)
    assert [(s[0], s[1], s[2]) for s in sms] == [
        ("reminder_day_before", "queued", at(SECOND, 15) - timedelta(days=1)),
        ("reminder_30_min", "queued", at(SECOND, 14, 30)),
        ("hearing_booked", "queued", None)]
    booked = sms[-1][3]
    assert join_url in booked and SECOND.strftime("%d-%m-%Y") in booked and "15:00 IST" in booked
    assert "उपायुक्त, रेवाड़ी" in booked                       # the complaint is in Hindi (make_form)
    assert rows(office, "SELECT action, detail LIKE 'accepted -> hearing_scheduled; hearing #%' FROM audit_log"
                        " ORDER BY id DESC LIMIT 1") == [("complaint.schedule_hearing", True)]


@pytest.mark.engines
def test_without_a_preferred_date_free_the_first_free_slot_is_taken(office, accepted):
    cid = accepted(preferred_dates=())
    booking.book_hearing(office, DC, cid, 2, "dc_rewari", now=NOW)
    assert hearing_rows(office, cid)[0][1] == at(FIRST, 15)
    other = accepted(preferred_dates=())
    booking.book_hearing(office, DC, other, 2, "dc_rewari", now=NOW)
    assert hearing_rows(office, other)[0][1] == at(FIRST, 15, 10)      # the next one along


@pytest.mark.engines
def test_a_chosen_slot_that_is_taken_offers_the_next_free_one(office, accepted):
    first, second = accepted(), accepted()
    wanted = booking.find_free_slots(office, "dc_rewari", now=NOW)[3]
    booking.book_hearing(office, DC, first, 2, "dc_rewari", slot=wanted, now=NOW)
    with pytest.raises(SlotTaken) as taken:
        booking.book_hearing(office, DC, second, 2, "dc_rewari", slot=wanted, now=NOW)
    assert taken.value.offer.starts_at == wanted.starts_at + timedelta(minutes=10)
    assert "was booked by someone else" in steps.describe(taken.value, "en")
    assert version(office, second) == 2 and hearing_rows(office, second) == [] and outbox(office, second) == []


@pytest.mark.engines
def test_a_slot_the_rules_never_offer_is_refused(office, accepted):
    cid = accepted()
    tuesday = next(d for d in (FIRST + timedelta(days=i) for i in range(7)) if d.weekday() == 1)
    crafted = slots.Slot(at(tuesday, 15), at(tuesday, 15, 10), "dc_rewari")
    with pytest.raises(HearingRefused) as refused:
        booking.book_hearing(office, DC, cid, 2, "dc_rewari", slot=crafted, now=NOW)
    assert refused.value.key == "hearing.slot_not_offered"
    past = slots.Slot(at(FIRST, 8), at(FIRST, 8, 10), "dc_rewari")
    with pytest.raises(HearingRefused):
        booking.book_hearing(office, DC, cid, 2, "dc_rewari", slot=past, now=NOW)
    assert claims(office) == []


@pytest.mark.engines
def test_a_stale_page_books_nothing(office, accepted):
    cid = accepted()
    with pytest.raises(StaleComplaint):
        booking.book_hearing(office, DC, cid, 1, "dc_rewari", now=NOW)
    assert hearing_rows(office, cid) == [] and claims(office) == [] and outbox(office, cid) == []


@pytest.mark.engines
def test_an_officer_cannot_book_and_nothing_is_written(office, accepted):
    cid = accepted(department_code="PHED")
    with pytest.raises(TransitionRefused) as refused:
        booking.book_hearing(office, USERS["officer_phed"], cid, 2, "dc_rewari", now=NOW)
    assert refused.value.key == "lifecycle.not_your_role"
    assert claims(office) == []


@pytest.mark.engines
def test_a_substitute_holds_the_hearing_while_the_dc_is_away(office, accepted):
    officers.set_rules(office, "officer_dp", "DDPO Rewari", "डीडीपीओ रेवाड़ी", OfficeRules(), "admin_rewari")
    officers.add_absence(office, "dc_rewari", FIRST, SECOND, "officer_dp", "Training", "admin_rewari")
    cid = accepted(preferred_dates=(SECOND,), language="en")
    booking.book_hearing(office, DC, cid, 2, "dc_rewari", now=NOW)
    assert rows(office, "SELECT officer, standing_in_for, starts_at FROM hearings") == [
        ("officer_dp", "dc_rewari", at(SECOND, 15))]
    assert "with DDPO Rewari" in outbox(office, cid)[-1][3]


# ---- moving, cancelling, holding and missing the hearing ----

@pytest.mark.engines
def test_moving_the_hearing_gives_the_old_slot_back_and_calls_off_its_reminders(office, accepted):
    cid = accepted(preferred_dates=(SECOND,))
    booking.book_hearing(office, DC, cid, 2, "dc_rewari", now=NOW)
    later = slots.Slot(at(THIRD, 16), at(THIRD, 16, 10), "dc_rewari")
    with pytest.raises(InvalidInput):
        booking.reschedule_hearing(office, DC, cid, 3, "  ", slot=later, now=NOW)
    done = booking.reschedule_hearing(office, DC, cid, 3, "DC called to Chandigarh", slot=later, now=NOW)
    assert (done.status, done.version) == ("hearing_scheduled", 4)
    (_, old_start, old_status, reason, old_url), (_, new_start, new_status, _, new_url) = hearing_rows(office, cid)
    assert (old_status, reason, new_status, new_start) == ("rescheduled", "DC called to Chandigarh", "booked", at(THIRD, 16))
    assert new_url != old_url
    assert claims(office) == [("dc_rewari", at(THIRD, 16))]
    sms = outbox(office, cid)
    assert [(s[0], s[1], s[4]) for s in sms] == [
        ("reminder_day_before", "failed", "cancelled"), ("reminder_30_min", "failed", "cancelled"),
        ("hearing_booked", "queued", None),
        ("reminder_day_before", "queued", None), ("reminder_30_min", "queued", None),
        ("hearing_rescheduled", "queued", None)]
    assert new_url in sms[-1][3] and "16:00 IST" in sms[-1][3]
    # The freed slot can be booked by another complaint; the citizen's history says the hearing moved.
    other = accepted()
    booking.book_hearing(office, DC, other, 2, "dc_rewari", slot=slots.Slot(old_start, old_start + timedelta(minutes=10),
                                                                            "dc_rewari"), now=NOW)
    found = tracking.find_complaint(office, rows(office, "SELECT tracking_no FROM complaints WHERE id = ?", [cid])[0][0],
                                    MOBILE, now=NOW)
    assert found.events[-1].label("en", {}) == "Hearing moved to a new time"
    assert "Chandigarh" not in " ".join(e.label("en", {}) for e in found.events)


@pytest.mark.engines
def test_moving_to_the_first_free_slot_skips_the_current_one(office, accepted):
    cid = accepted(preferred_dates=())
    booking.book_hearing(office, DC, cid, 2, "dc_rewari", now=NOW)
    booking.reschedule_hearing(office, DC, cid, 3, "Citizen asked for later", officer="dc_rewari", now=NOW)
    assert [(r[1], r[2]) for r in hearing_rows(office, cid)] == [(at(FIRST, 15), "rescheduled"), (at(FIRST, 15, 10), "booked")]


@pytest.mark.engines
def test_cancelling_needs_the_reason_and_frees_the_slot(office, accepted):
    cid = accepted()
    booking.book_hearing(office, DC, cid, 2, "dc_rewari", now=NOW)
    with pytest.raises(InvalidInput) as bad:
        booking.cancel_hearing(office, DC, cid, 3, "", now=NOW)
    assert bad.value.keys == {"hearing.reason_required"}
    done = booking.cancel_hearing(office, DC, cid, 3, "Matter settled locally", now=NOW)
    assert done.status == "accepted"
    assert hearing_rows(office, cid)[0][2:4] == ("cancelled", "Matter settled locally")
    assert claims(office) == []
    sms = outbox(office, cid)
    assert [s[0] for s in sms if s[1] == "queued"] == ["hearing_booked", "hearing_cancelled"]
    assert "Matter settled" not in sms[-1][3]                      # the reason is internal
    # Booked again afterwards: a new hearing, nothing lost.
    booking.book_hearing(office, DC, cid, 4, "dc_rewari", now=NOW)
    assert [r[2] for r in hearing_rows(office, cid)] == ["cancelled", "booked"]


@pytest.mark.engines
def test_a_held_hearing_is_attended_and_keeps_its_slot(office, accepted):
    # A day the citizen can come that is over a day after NOW, so both reminders are queued. The form's
    # default date is counted from the real today, not from NOW: on 1 December 2026 it fell on a day
    # NOW's office does not hear, the hearing went to FIRST, a few hours after NOW, and had no
    # day-before reminder.
    cid = accepted(preferred_dates=(SECOND,))
    booking.book_hearing(office, DC, cid, 2, "dc_rewari", now=NOW)
    start = hearing_rows(office, cid)[0][1]
    with pytest.raises(HearingRefused) as early:
        booking.record_hearing(office, DC, cid, 3, now=start - timedelta(hours=2))
    assert early.value.key == "hearing.not_started"
    done = booking.record_hearing(office, DC, cid, 3, "Heard both sides", now=start + timedelta(minutes=5))
    assert done.status == "heard" and hearing_rows(office, cid)[0][2] == "attended"
    assert claims(office) == [("dc_rewari", start)]
    assert [s[1] for s in outbox(office, cid) if s[0].startswith("reminder")] == ["failed", "failed"]


@pytest.mark.engines
def test_a_no_show_is_rebooked_once_and_only_once(office, accepted):
    cid = accepted()
    booking.book_hearing(office, DC, cid, 2, "dc_rewari", now=NOW)
    start = hearing_rows(office, cid)[0][1]
    with pytest.raises(HearingRefused):
        booking.record_no_show(office, DC, cid, 3, now=start - timedelta(minutes=1))
    done = booking.record_no_show(office, DC, cid, 3, "Waited 15 minutes", now=start + timedelta(minutes=15))
    assert done.status == "accepted"
    later = start + timedelta(minutes=20)
    booking.book_hearing(office, DC, cid, 4, "dc_rewari", now=later)            # the one rebooking
    second = hearing_rows(office, cid)[1][1]
    booking.record_no_show(office, DC, cid, 5, now=second + timedelta(minutes=15))
    with pytest.raises(HearingRefused) as refused:
        booking.book_hearing(office, DC, cid, 6, "dc_rewari", now=second + timedelta(minutes=20))
    assert refused.value.key == "hearing.no_more_rebooking"
    assert [r[2] for r in hearing_rows(office, cid)] == ["no_show", "no_show"]
    labels = [e.label("en", {}) for e in tracking.find_complaint(
        office, rows(office, "SELECT tracking_no FROM complaints WHERE id = ?", [cid])[0][0], MOBILE, now=NOW).events]
    assert labels.count("Hearing missed: the citizen did not join") == 2


@pytest.mark.engines
def test_the_citizen_sees_the_coming_hearing_only_with_the_right_mobile(office, accepted):
    cid = accepted(language="en", preferred_dates=())
    booking.book_hearing(office, DC, cid, 2, "dc_rewari", now=NOW)
    tracking_no = rows(office, "SELECT tracking_no FROM complaints WHERE id = ?", [cid])[0][0]
    found = tracking.find_complaint(office, tracking_no, MOBILE, now=NOW)
    assert found.hearing.starts_at == at(FIRST, 15)
    assert found.hearing.join_url == hearing_rows(office, cid)[0][4]
    assert found.hearing.officer("en") == "Deputy Commissioner, Rewari"
    assert tracking.find_complaint(office, tracking_no, "9000000000", now=NOW) is None
    # Over once it has ended.
    assert tracking.find_complaint(office, tracking_no, MOBILE, now=at(FIRST, 15, 11)).hearing is None


# ---- 20 desks, one slot ----

def book_all_at_once(office, complaint_ids, book) -> list:
    barrier = threading.Barrier(len(complaint_ids))
    results: list = [None] * len(complaint_ids)

    def desk(i: int, cid: int) -> None:
        barrier.wait()
        try:
            results[i] = book(cid)
        except Exception as exc:                     # noqa: BLE001 - the test sorts the outcomes
            results[i] = exc

    threads = [threading.Thread(target=desk, args=(i, cid)) for i, cid in enumerate(complaint_ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.engines
def test_twenty_desks_book_the_same_slot_exactly_one_wins_the_rest_are_offered_the_next(office, accepted):
    """The loser's offer is the next free slot; whoever loses, no row is lost or doubled."""
    complaint_ids = [accepted() for _ in range(20)]
    wanted = booking.find_free_slots(office, "dc_rewari", now=NOW)[0]
    results = book_all_at_once(office, complaint_ids, lambda cid: booking.book_hearing(
        office, DC, cid, 2, "dc_rewari", slot=wanted, now=NOW))
    winners = [r for r in results if isinstance(r, steps.Done)]
    losers = [r for r in results if isinstance(r, SlotTaken)]
    assert len(winners) == 1 and len(losers) == 19, results
    free_now = booking.find_free_slots(office, "dc_rewari", now=NOW)
    assert all(loser.offer == free_now[0] != wanted for loser in losers)
    # Nothing lost or doubled: one hearing, one claim, one complaint moved, its SMS and nobody else's.
    assert claims(office) == [("dc_rewari", wanted.starts_at)]
    assert rows(office, "SELECT count(*), count(DISTINCT complaint_id) FROM hearings") == [(1, 1)]
    moved = rows(office, "SELECT id FROM complaints WHERE status = 'hearing_scheduled'")
    assert len(moved) == 1
    assert rows(office, "SELECT DISTINCT complaint_id FROM sms_outbox WHERE template = 'hearing_booked'") == moved
    assert sorted(version(office, cid) for cid in complaint_ids) == [2] * 19 + [3]


@pytest.mark.engines
def test_desks_asking_for_the_first_free_slot_at_once_all_get_different_ones(office, accepted):
    """Each loser moves on to the next free slot by itself (ten desks: every loss costs a retry)."""
    complaint_ids = [accepted(preferred_dates=()) for _ in range(10)]
    results = book_all_at_once(office, complaint_ids, lambda cid: booking.book_hearing(
        office, DC, cid, 2, "dc_rewari", now=NOW))
    assert all(isinstance(r, steps.Done) for r in results), results
    starts = [r[0] for r in rows(office, "SELECT starts_at FROM hearings ORDER BY starts_at")]
    assert len(starts) == len(set(starts)) == 10
    assert starts == [s.starts_at for s in slots.free_slots(
        {"dc_rewari": officers.get_officer(office, "dc_rewari")}, "dc_rewari", first_day=FIRST, days=40, now=NOW)[:10]]
    assert len(claims(office)) == 10
    assert rows(office, "SELECT count(*) FROM sms_outbox WHERE template = 'hearing_booked'") == [(10,)]


# ---- the same from the complaint page (AppTest) ----

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def desk(portal_env):
    """A database with the demo accounts, the DC as hearing officer and one accepted English complaint."""
    import streamlit as st
    from lib.core.config import load_settings
    from lib.citizen.filing import load_form_choices
    from lib.ops.startup import open_portal_database

    st.cache_resource.clear()
    settings = load_settings({})
    con = open_portal_database(settings)
    signin.create_demo_users(con)
    officers.ensure_default_rules(con)
    ack = file_complaint(con, settings, make_form(id_document=SMALL_ID, language="en", preferred_dates=()),
                         load_form_choices(con), track_url="http://x/track")
    actions.start_scrutiny(con, DC, ack.complaint_id, 0)
    actions.accept(con, DC, ack.complaint_id, 1)
    con.close()
    yield ack
    st.cache_resource.clear()


def open_detail(tracking_no: str, username: str = "dc_rewari"):
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["keys"] = {}
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.run()
    at.switch_page("pages/complaint_detail.py").run()
    at.radio(key="language_switch").set_value("en").run()
    at.text_input(key="detail_no").input(tracking_no).run()
    assert not at.exception
    return at


def app_rows(sql: str, params=()) -> list[tuple]:
    from lib.ui import connection          # the app's own cached connection, in this process
    with connection().cursor() as cur:
        return cur.execute(sql, list(params)).fetchall()


def test_the_dc_books_moves_and_cancels_a_hearing_from_the_complaint_page(desk):
    at = open_detail(desk.tracking_no)
    assert at.header[0].value == f"{desk.tracking_no}: Accepted"
    assert at.radio(key="booking_mode").value == "first"
    at.button(key="booking_submit").click().run()
    assert not at.exception, at.exception
    [(first_start, join_url)] = app_rows("SELECT starts_at, join_url FROM hearings")
    start_ist = first_start.astimezone(IST)          # written out here, not by the portal's own formatter
    when = f"{start_ist:%d-%m-%Y %H:%M}-{start_ist + timedelta(minutes=10):%H:%M} IST"
    assert at.success[0].value == (f"Hearing booked for {when} with Deputy Commissioner, Rewari. "
                                   "The citizen's SMS is queued.")
    assert at.header[0].value == f"{desk.tracking_no}: Hearing scheduled"
    assert at.info[0].value == f"Hearing booked for {when} with Deputy Commissioner, Rewari."
    [(body,)] = app_rows("SELECT body FROM sms_outbox WHERE template = 'hearing_booked'")
    assert join_url in body
    # The room opens on the page itself, beside the actions.
    at.toggle(key="hearing_video").set_value(True).run()
    assert not at.exception
    assert join_url in str([e.proto for e in at.get("iframe")])

    # Move it to a slot of the DC's choosing, with the reason.
    at.radio(key="reschedule_mode").set_value("choose").run()
    options = at.selectbox(key="reschedule_slot").options
    at.selectbox(key="reschedule_slot").select_index(2)
    at.button(key="reschedule_submit").click().run()
    assert [e.value for e in at.error] == [REQUIRED]                     # no reason, nothing moved
    assert app_rows("SELECT count(*) FROM hearings") == [(1,)]
    at.text_area(key="reschedule_reason").input("The DC is on tour that afternoon").run()
    at.button(key="reschedule_submit").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("Hearing moved to ")
    moved = app_rows("SELECT status, starts_at FROM hearings ORDER BY id")
    assert [m[0] for m in moved] == ["rescheduled", "booked"]
    assert slots.Slot(moved[1][1], moved[1][1] + timedelta(minutes=10), "dc_rewari").label(
        "en", {"dc_rewari": "Deputy Commissioner, Rewari"}) == options[2]
    assert at.header[0].value == f"{desk.tracking_no}: Hearing scheduled"

    # Cancel it: the reason is required, then it is back to accepted and the citizen is told.
    at.button(key="cancel_hearing_submit").click().run()
    assert "Give the reason." in [e.value for e in at.error]
    at.text_area(key="cancel_hearing_reason").input("Matter settled between the parties").run()
    at.button(key="cancel_hearing_submit").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "Hearing cancelled. The citizen's SMS is queued."
    assert at.header[0].value == f"{desk.tracking_no}: Accepted"
    assert app_rows("SELECT template FROM sms_outbox WHERE template LIKE 'hearing_%' ORDER BY id") == [
        ("hearing_booked",), ("hearing_rescheduled",), ("hearing_cancelled",)]
    assert app_rows("SELECT count(*) FROM hearing_slot_claims") == [(0,)]
    shown = at.dataframe[-1].value
    assert shown["Hearing"].tolist() == ["Moved", "Cancelled"]
    assert shown["Reason"].tolist() == ["The DC is on tour that afternoon", "Matter settled between the parties"]
