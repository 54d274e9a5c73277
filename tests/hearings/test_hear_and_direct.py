"""Hear and direct in one sitting (issue #12): the hearing recorded held with the directions given in it is one
transaction with one SMS to the citizen; directions may be given while a hearing is booked; and every live
action keeps the complaint's facts (migration 008) equal to what its history says."""
from __future__ import annotations

from datetime import timedelta

import pytest

from lib.casework import actions
from lib.casework.steps import Citizen
from lib.citizen import track_links
from lib.core.lifecycle import Feedback, TransitionRefused
from lib.core.problems import InvalidInput
from lib.hearings import booking
from lib.hearings.rules import HearingRefused
from lib.sms.templates import MAX_VARIABLE_CHARS, departments_in_sms
from tests.hearings.test_booking import DC, FIRST, MOBILE, NOW, USERS, accepted, hearing_rows, office, outbox, rows  # noqa: F401

DUE_PHED, DUE_PWD = FIRST + timedelta(days=7), FIRST + timedelta(days=14)
TRACK = "http://x/track_complaint"
# The facts as migration 008's backfill derives them from the history (the same expressions).
FROM_HISTORY = """
SELECT count(*) FILTER (WHERE e.event = 'reopened' OR (e.from_status IN ('resolved', 'closed') AND e.to_status IN (
           'submitted', 'under_scrutiny', 'accepted', 'hearing_scheduled', 'heard', 'with_department',
           'action_reported'))),
       count(*) FILTER (WHERE e.from_status = 'hearing_scheduled' AND e.to_status = 'heard'),
       count(*) FILTER (WHERE e.from_status = 'hearing_scheduled' AND e.to_status = 'accepted'
                        AND e.event <> 'hearing_no_show'),
       count(*) FILTER (WHERE e.event = 'hearing_no_show'),
       min(e.happened_at) FILTER (WHERE e.to_status = 'heard'),
       max(e.happened_at) FILTER (WHERE e.to_status = 'resolved')
FROM complaint_events e
WHERE e.complaint_id = ? AND e.event <> 'remark' AND e.from_status IS DISTINCT FROM e.to_status"""


def facts(con, cid) -> tuple:
    return rows(con, "SELECT reopen_count, hearings_held, hearings_called_off, hearings_no_show, heard_at,"
                     " resolved_at FROM complaints WHERE id = ?", [cid])[0]


def history_facts(con, cid) -> tuple:
    *counts, heard_at, resolved_at = rows(con, FROM_HISTORY, [cid])[0]
    return (*counts, heard_at, resolved_at)


def state(con, cid) -> tuple:
    return rows(con, "SELECT status, version, department_code FROM complaints WHERE id = ?", [cid])[0]


def events(con, cid) -> list[tuple]:
    return rows(con, "SELECT event, from_status, to_status FROM complaint_events WHERE complaint_id = ?"
                     " AND event <> 'remark' ORDER BY id", [cid])


@pytest.fixture
def booked(office, accepted):
    """An accepted complaint with a hearing booked on the first hearing day; (id, its start)."""
    cid = accepted(preferred_dates=())
    booking.book_hearing(office, DC, cid, 2, "dc_rewari", now=NOW)
    return cid, hearing_rows(office, cid)[0][1]


def test_held_with_two_directions_is_one_step_with_one_sms_naming_them(office, booked, settings):
    cid, start = booked
    orders = [("PHED", "Repair the main line in ward 7", DUE_PHED), ("PWD", "Mend the road after the digging", DUE_PWD)]
    done = booking.record_hearing(office, DC, cid, 3, "Both sides heard; PHED and PWD to act", orders,
                                  settings=settings, track_url=TRACK, now=start + timedelta(minutes=5))
    assert (done.status, state(office, cid)) == ("with_department", ("with_department", 5, "PHED"))
    assert events(office, cid)[-2:] == [("status_changed", "hearing_scheduled", "heard"),
                                        ("directions_given", "heard", "with_department")]
    assert hearing_rows(office, cid)[0][2] == "attended"
    assert rows(office, "SELECT department_code, report_by FROM directions WHERE complaint_id = ? ORDER BY id",
                [cid]) == [("PHED", DUE_PHED), ("PWD", DUE_PWD)]
    # One SMS for the sitting (not a "sent to the department" one besides), in Hindi, with the signed link.
    templates = [s[0] for s in outbox(office, cid) if s[1] == "queued"]
    assert templates == ["hearing_booked", "hearing_held"]
    body = outbox(office, cid)[-1][3]
    tracking_no = rows(office, "SELECT tracking_no FROM complaints WHERE id = ?", [cid])[0][0]
    assert "PHED, PWD" in body and DUE_PWD.strftime("%d-%m-%Y") in body and "सुनवाई हुई" in body
    assert track_links.signed_track_url(settings, TRACK, cid, tracking_no) in body
    assert "Both sides heard" not in body                     # the outcome stays internal
    # The facts: one hearing held, heard at the sitting's time, as the history says.
    assert facts(office, cid)[1:5] == (1, 0, 0, start + timedelta(minutes=5))
    assert facts(office, cid) == history_facts(office, cid)


def test_not_before_its_start_and_then_nothing_is_written(office, booked):
    cid, start = booked
    before = (state(office, cid), events(office, cid), outbox(office, cid), facts(office, cid))
    with pytest.raises(HearingRefused) as early:
        booking.record_hearing(office, DC, cid, 3, "", [("PHED", "Repair the main line", DUE_PHED)],
                               now=start - timedelta(minutes=1))
    assert early.value.key == "hearing.not_started"
    assert (state(office, cid), events(office, cid), outbox(office, cid), facts(office, cid)) == before
    assert rows(office, "SELECT count(*) FROM directions WHERE complaint_id = ?", [cid]) == [(0,)]
    # A bad direction refuses the whole sitting, before anything is written.
    with pytest.raises(InvalidInput):
        booking.record_hearing(office, DC, cid, 3, "", [("PHED", "", DUE_PHED)], now=start)
    assert state(office, cid) == before[0] and hearing_rows(office, cid)[0][2] == "booked"


def test_directions_while_booked_keep_the_hearing_and_go_to_work_when_it_is_held(office, booked, settings):
    cid, start = booked
    done = actions.give_directions(office, DC, cid, 3, [("PWD", "Fill the trench before the rains", DUE_PWD)],
                                   now=NOW)
    assert done.status == "hearing_scheduled" and hearing_rows(office, cid)[0][2] == "booked"
    with pytest.raises(TransitionRefused):      # the department reports once the hearing is recorded
        actions.file_report(office, USERS["officer_pwd"], cid, 4, "Trench filled and levelled.", now=NOW)
    held = booking.record_hearing(office, DC, cid, 4, "Heard", settings=settings, track_url=TRACK,
                                  now=start + timedelta(minutes=1))
    assert held.status == "with_department"
    assert events(office, cid)[-2:] == [("status_changed", "hearing_scheduled", "heard"),
                                        ("status_changed", "heard", "with_department")]
    sms = outbox(office, cid)
    assert [s[0] for s in sms][-2:] == ["forwarded", "hearing_held"]
    assert "निर्देश: लोक निर्माण (भवन एवं सड़कें) को" in sms[-1][3] and DUE_PWD.strftime("%d-%m-%Y") in sms[-1][3]   # one department: its name
    done = actions.file_report(office, USERS["officer_pwd"], cid, held.version, "Trench filled and levelled.")
    assert done.status == "action_reported"


def test_held_without_directions_is_heard_and_the_citizen_hears_the_next_step_follows(office, booked):
    cid, start = booked
    done = booking.record_hearing(office, DC, cid, 3, "Adjourned for documents", now=start)
    assert done.status == "heard"
    assert outbox(office, cid)[-1][0] == "hearing_held_pending"
    # Directions after it, the usual way.
    assert actions.give_directions(office, DC, cid, done.version, [("PHED", "Check the supply", DUE_PHED)],
                                   now=start).status == "with_department"


def test_every_action_keeps_the_facts_equal_to_the_history(office, accepted, settings):
    cid = accepted(preferred_dates=())
    v = 2
    for moment in (NOW, NOW + timedelta(minutes=1)):           # called off once, moved once: no fact for a move
        booking.book_hearing(office, DC, cid, v, "dc_rewari", now=moment)
        start = hearing_rows(office, cid)[-1][1]
        v = booking.reschedule_hearing(office, DC, cid, v + 1, "Officer in a meeting", officer="dc_rewari",
                                       now=moment).version
        if moment == NOW:
            v = booking.cancel_hearing(office, DC, cid, v, "Matter settled locally", now=moment).version
            assert facts(office, cid)[1:4] == (0, 1, 0)
    start = hearing_rows(office, cid)[-1][1]
    v = booking.record_no_show(office, DC, cid, v, now=start + timedelta(minutes=15)).version
    assert facts(office, cid)[1:4] == (0, 1, 1) and facts(office, cid) == history_facts(office, cid)
    later = start + timedelta(minutes=20)
    booking.book_hearing(office, DC, cid, v, "dc_rewari", now=later)
    start = hearing_rows(office, cid)[-1][1]
    held = booking.record_hearing(office, DC, cid, v + 1, "Heard", [("PHED", "Repair the line", DUE_PHED)],
                                  now=start)
    report = actions.file_report(office, USERS["officer_phed"], cid, held.version, "Line repaired.", now=start)
    resolved = actions.resolve(office, DC, cid, report.version, track_url=TRACK, now=start + timedelta(hours=1))
    assert facts(office, cid)[5] == start + timedelta(hours=1)
    assert facts(office, cid) == history_facts(office, cid)
    tracking_no = rows(office, "SELECT tracking_no FROM complaints WHERE id = ?", [cid])[0][0]
    actions.record_feedback(office, Citizen(tracking_no, "+91" + MOBILE), cid, resolved.version, Feedback.NOT_SOLVED,
                            now=start + timedelta(days=1))
    assert facts(office, cid) == (1, 1, 1, 1, start, None)           # a reopening clears resolved_at
    assert facts(office, cid)[:5] == history_facts(office, cid)[:5]


def test_departments_fit_one_dlt_variable():
    assert departments_in_sms(["Public Health Engineering"], ["PHED"]) == "Public Health Engineering"
    assert departments_in_sms(["जन स्वास्थ्य अभियांत्रिकी विभाग"], ["PHED"]) == "जन स्वास्थ्य अभियांत्रिकी"
    assert departments_in_sms(["a" * 31], ["PHED"]) == "PHED"
    many = departments_in_sms(["x"] * 8, ["PHED", "DHBVN", "PWD", "ULB", "REV", "AGRI", "HEALTH", "EDU"])
    assert len(many) <= MAX_VARIABLE_CHARS and many.startswith("PHED, DHBVN") and many.endswith("+3")
