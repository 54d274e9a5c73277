"""Appeals (issue #15), data layer on both engines: the citizen appeals once, within 30 days of answering
"not solved"; the appellate officer sends the complaint back to its department or upholds the disposal;
each step writes its history entry, SMS and audit entry (codes only) together, or nothing."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from lib.casework import actions, appeals, detail, queue
from lib.casework.steps import Citizen, ComplaintNotFound
from lib.citizen import tracking
from lib.core.lifecycle import APPEAL_WITHIN, Feedback, TransitionRefused, appeal_deadline
from lib.core.problems import InvalidInput
from tests.casework.test_casework import (  # noqa: F401  (people and file are fixtures)
    IST, MOBILE, TRACK_URL, _tracking_no, facts, file, people, row, to_resolved, version)
from tests.conftest import valid_aadhaar

pytestmark = pytest.mark.engines   # every test here runs on DuckDB and on PostgreSQL

REASON = "The supply came back for two days and stopped again; nobody came to check the valve."


def not_solved(con, people, cid, now=None) -> Citizen:
    """Resolved by the DC, then the citizen's "not solved" (which reopens it)."""
    resolved = to_resolved(con, people, cid)
    citizen = Citizen(_tracking_no(con, cid), MOBILE)
    actions.record_feedback(con, citizen, cid, resolved.version, Feedback.NOT_SOLVED, now=now)
    return citizen


def appealed(con, people, cid) -> Citizen:
    citizen = not_solved(con, people, cid)
    appeals.file_appeal(con, citizen, cid, REASON)
    return citizen


def written(con, cid) -> dict:
    """Everything an appeal step may write."""
    return {**facts(con, cid),
            "appeals": row(con, "SELECT status, reason FROM appeals WHERE complaint_id = ?", [cid]),
            "directions": row(con, "SELECT department_code, instruction, report_by FROM directions"
                                   " WHERE complaint_id = ? ORDER BY id", [cid])}


def test_a_citizen_appeals_after_not_solved_with_sms_history_and_coded_audit(con, people, file):
    cid = file()
    citizen = not_solved(con, people, cid)
    aadhaar = valid_aadhaar(random.Random(3))
    before = written(con, cid)
    appeals.file_appeal(con, citizen, cid, f"{REASON} My Aadhaar is {aadhaar}.")
    after = written(con, cid)
    status, reason = after["appeals"][0]
    assert status == "pending"
    assert aadhaar not in reason and f"XXXX XXXX {aadhaar[-4:]}" in reason
    assert after["events"][-1][:4] == ("appealed", "with_department", "with_department", "citizen")
    assert after["events"][-1][5] is True                      # the citizen sees it in their history
    assert after["sms"][len(before["sms"]):] == ["appeal_filed"]
    body = row(con, "SELECT body FROM sms_outbox WHERE complaint_id = ? ORDER BY id DESC LIMIT 1", [cid])[0][0]
    assert citizen.tracking_no in body and "अपील" in body       # filed in Hindi: the SMS is Hindi
    detail_row = row(con, "SELECT action, detail FROM audit_log ORDER BY id DESC LIMIT 1")[0]
    assert detail_row[0] == "complaint.appeal" and "valve" not in (detail_row[1] or "")
    assert after["status"] == before["status"] and after["version"] == before["version"]
    # The track page shows the step in the citizen's words.
    found = tracking.find_complaint(con, citizen.tracking_no, "9876543210")
    assert "Appeal filed by the citizen" in [e.label("en", {}) for e in found.events]


def test_the_appellate_officer_sees_only_appealed_complaints(con, people, file):
    cid, other = file(), file(mobile="98123 45678")
    appealed(con, people, cid)
    adc = people["adc_rewari"]
    lines = appeals.appeals_queue(con, adc)
    assert [a.tracking_no for a in lines] == [_tracking_no(con, cid)]
    assert detail.find_case(con, adc, cid) is not None
    assert detail.find_case(con, adc, other) is None
    # An officer's appeal view is their own scope: PHED sees it, the DC's office sees it, PWD does not.
    assert appeals.appeals_queue(con, people["officer_pwd"]) == []


def test_sending_back_reopens_it_to_the_department_with_directions_and_a_date(con, people, file, settings):
    cid = file()
    appealed(con, people, cid)
    # Meanwhile the department reported again and the DC resolved it again.
    actions.file_report(con, people["officer_phed"], cid, version(con, cid), "Valve replaced on Friday.")
    actions.resolve(con, people["dc_rewari"], cid, version(con, cid), track_url=TRACK_URL)
    before = written(con, cid)
    due = datetime.now(IST).date() + timedelta(days=10)
    done = appeals.send_back(con, people["adc_rewari"], cid, before["version"],
                             "Inspect the valve with the citizen present and report with photos.", due,
                             settings=settings)
    after = written(con, cid)
    assert (done.status, after["status"], after["department"]) == ("with_department",) * 2 + ("PHED",)
    assert after["appeals"][0][0] == "sent_back"
    assert after["directions"][-1] == ("PHED", "Inspect the valve with the citizen present and report with photos.",
                                       due)
    assert row(con, "SELECT resolved_at, reopen_count FROM complaints WHERE id = ?", [cid])[0] == (None, 2)
    assert [e[0] for e in after["events"][len(before["events"]):]] == ["appeal_sent_back", "remark"]
    assert after["sms"][len(before["sms"]):] == ["appeal_sent_back"]
    body = row(con, "SELECT body FROM sms_outbox WHERE complaint_id = ? ORDER BY id DESC LIMIT 1", [cid])[0][0]
    assert due.strftime("%d-%m-%Y") in body and "sig=" in body
    action, audit_detail = row(con, "SELECT action, detail FROM audit_log ORDER BY id DESC LIMIT 1")[0]
    assert action == "complaint.appeal_send_back"
    assert audit_detail == f"resolved -> with_department; report by {due.isoformat()}"
    # Back in PHED's queue, where the officer reports again.
    phed = people["officer_phed"]
    assert _tracking_no(con, cid) in [r.tracking_no for r in queue.load_queue(con, phed, queue.QueueFilters(), "en").rows]
    actions.file_report(con, phed, cid, after["version"], "Inspected with the citizen; photos attached.")
    assert facts(con, cid)["status"] == "action_reported"
    # Decided once: a second decision is refused and writes nothing.
    settled = written(con, cid)
    with pytest.raises(TransitionRefused) as refused:
        appeals.uphold(con, people["adc_rewari"], cid, settled["version"], "Disposal is fine.")
    assert refused.value.key == "appeal.not_pending" and written(con, cid) == settled


def test_upholding_closes_it_for_good(con, people, file):
    cid = file()
    citizen = appealed(con, people, cid)
    actions.file_report(con, people["officer_phed"], cid, version(con, cid), "Valve replaced on Friday.")
    actions.resolve(con, people["dc_rewari"], cid, version(con, cid), track_url=TRACK_URL)
    before = written(con, cid)
    done = appeals.uphold(con, people["adc_rewari"], cid, before["version"], "Site report shows supply restored.")
    after = written(con, cid)
    assert (done.status, after["status"], after["appeals"][0][0]) == ("closed", "closed", "upheld")
    assert after["sms"][len(before["sms"]):] == ["appeal_upheld"]
    assert row(con, "SELECT detail FROM audit_log ORDER BY id DESC LIMIT 1")[0][0] == "resolved -> closed"
    # The citizen's answer no longer reopens it, and the track page offers no answer.
    assert not tracking.find_complaint(con, citizen.tracking_no, "9876543210").feedback_open
    with pytest.raises(TransitionRefused) as refused:
        actions.record_feedback(con, citizen, cid, after["version"], Feedback.NOT_SOLVED)
    assert refused.value.key == "appeal.final" and written(con, cid) == after


def test_one_appeal_per_complaint(con, people, file):
    cid = file()
    citizen = appealed(con, people, cid)
    before = written(con, cid)
    with pytest.raises(TransitionRefused) as refused:
        appeals.file_appeal(con, citizen, cid, REASON)
    assert refused.value.key == "appeal.already_filed" and written(con, cid) == before


def test_the_30_days_run_from_the_not_solved_answer(con, people, file):
    cid = file()
    answered = datetime.now(IST)
    citizen = not_solved(con, people, cid, now=answered)
    before = written(con, cid)
    with pytest.raises(TransitionRefused) as refused:
        appeals.file_appeal(con, citizen, cid, REASON, now=answered + APPEAL_WITHIN + timedelta(minutes=1))
    assert refused.value.key == "appeal.expired" and written(con, cid) == before
    assert "30 दिनों" in refused.value.message("hi") and "30 days" in refused.value.message("en")
    appeals.file_appeal(con, citizen, cid, REASON, now=answered + APPEAL_WITHIN - timedelta(minutes=1))
    assert written(con, cid)["appeals"][0][0] == "pending"


def test_a_later_disposal_opens_a_new_30_days():
    answered = datetime(2026, 1, 1, 10, tzinfo=IST)
    assert appeal_deadline(answered, None) == answered + APPEAL_WITHIN
    assert appeal_deadline(answered, answered + timedelta(days=20)) == answered + timedelta(days=20) + APPEAL_WITHIN
    assert appeal_deadline(None, answered) is None


@pytest.mark.parametrize("answer, key", [(Feedback.SOLVED, "appeal.answered_solved"),
                                         (Feedback.PARTLY, "appeal.not_eligible"),
                                         (None, "appeal.not_eligible")])
def test_only_not_solved_may_be_appealed(con, people, file, answer, key):
    cid = file()
    resolved = to_resolved(con, people, cid)
    citizen = Citizen(_tracking_no(con, cid), MOBILE)
    if answer:
        actions.record_feedback(con, citizen, cid, resolved.version, answer)
    before = written(con, cid)
    with pytest.raises(TransitionRefused) as refused:
        appeals.file_appeal(con, citizen, cid, REASON)
    assert refused.value.key == key and written(con, cid) == before
    assert appeals.appeal_chance(con, cid, resolved_at=None).until is None


@pytest.mark.parametrize("reason, problem", [("", "error.required"), ("   ", "error.required"),
                                             ("too short", "error.too_short"), ("x" * 1001, "error.too_long")])
def test_a_bad_reason_is_refused_and_leaves_nothing(con, people, file, reason, problem):
    cid = file()
    citizen = not_solved(con, people, cid)
    before = written(con, cid)
    with pytest.raises(InvalidInput) as refused:
        appeals.file_appeal(con, citizen, cid, reason)
    assert [p.key for p in refused.value.problems] == [problem] and written(con, cid) == before


def test_someone_elses_mobile_cannot_appeal(con, people, file):
    cid = file()
    not_solved(con, people, cid)
    before = written(con, cid)
    with pytest.raises(ComplaintNotFound):
        appeals.file_appeal(con, Citizen(_tracking_no(con, cid), "+919812345678"), cid, REASON)
    assert written(con, cid) == before


@pytest.mark.parametrize("username, key", [("dc_rewari", "lifecycle.not_your_role"),
                                           ("officer_phed", "lifecycle.not_your_role")])
def test_only_the_appellate_officer_decides(con, people, file, settings, username, key):
    cid = file()
    appealed(con, people, cid)
    before = written(con, cid)
    with pytest.raises(TransitionRefused) as refused:
        appeals.send_back(con, people[username], cid, before["version"], "Do it again properly.", settings=settings)
    assert refused.value.key == key
    with pytest.raises(TransitionRefused):
        appeals.uphold(con, people[username], cid, before["version"], "Fine as it is.")
    assert written(con, cid) == before


def test_bad_directions_or_date_leave_the_appeal_pending(con, people, file, settings):
    cid = file()
    appealed(con, people, cid)
    before = written(con, cid)
    adc = people["adc_rewari"]
    with pytest.raises(InvalidInput):
        appeals.send_back(con, adc, cid, before["version"], "", settings=settings)
    with pytest.raises(InvalidInput):
        appeals.send_back(con, adc, cid, before["version"], "Inspect the valve again.",
                          datetime.now(IST).date() - timedelta(days=1), settings=settings)
    with pytest.raises(InvalidInput):
        appeals.uphold(con, adc, cid, before["version"], "  ")
    assert written(con, cid) == before and before["appeals"][0][0] == "pending"


def test_appeals_are_counted_in_analytics_per_department(con, people, file, settings):
    from lib.analytics import figures
    today = datetime.now(IST).date()
    board = figures.load_dashboard(con, figures.default_filters(today), today)
    assert board.appeal_count == 0 and figures.appeals_view(board, "en").empty
    first, second, _ = file(), file(), file()           # a third, never appealed
    appealed(con, people, first)
    appealed(con, people, second)
    appeals.uphold(con, people["adc_rewari"], second, version(con, second), "Supply restored, as inspected.")
    board = figures.load_dashboard(con, figures.default_filters(today), today)
    assert board.appeal_count == 2
    view = figures.appeals_view(board, "en")
    assert view.to_dict("records") == [{"name": view["name"][0], "appeals": 2, "pending": 1, "sent_back": 0,
                                        "upheld": 1}]
    assert "Public Health" in view["name"][0]
