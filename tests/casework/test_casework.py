"""Casework actions: status, history, SMS and audit in one transaction; stale versions refused; bulk
all-or-nothing; department scope; the citizen's reopening; ATR attachments and ID documents."""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from lib.casework import actions, detail, steps
from lib.hearings import booking
from lib.staff import signin
from lib.citizen import tracking
from lib.core.roles import Role, User
from lib.casework.steps import BulkRefused, Citizen, ComplaintNotFound, NotAllowed, StaleComplaint
from lib.db.staff import users as users_db
from lib.db.connect import transaction
from lib.citizen.filing import file_complaint
from lib.core.lifecycle import Feedback, RejectionReason, TransitionRefused
from lib.core.problems import InvalidInput
from tests.conftest import add_demo_accounts, jpeg_bytes, make_form

pytestmark = pytest.mark.engines   # every test here runs on DuckDB and on PostgreSQL

IST = ZoneInfo("Asia/Kolkata")
TRACK_URL = "https://grievance.example/track_complaint"
MOBILE = "+919876543210"                  # make_form's "98765 43210"
CLERK = User("dc_clerk", "DC office clerk", Role.DC, None)


@pytest.fixture
def people(con):
    """The demo accounts and a second DC-office user; dummy hashes, since nobody signs in here."""
    add_demo_accounts(con, CLERK)
    return {u.username: u for u in (*signin.DEMO_USERS, CLERK)}


@pytest.fixture
def file(con, settings, choices):
    def _file(**overrides) -> int:
        return file_complaint(con, settings, make_form(**overrides), choices, track_url=TRACK_URL).complaint_id
    return _file


def row(con, sql, params=()):
    with con.cursor() as cur:
        return cur.execute(sql, list(params)).fetchall()


def facts(con, cid) -> dict:
    status, version, department, transfers = row(
        con, "SELECT status, version, department_code, transfers FROM complaints WHERE id = ?", [cid])[0]
    return {
        "status": status, "version": version, "department": department, "transfers": transfers,
        "events": row(con, "SELECT event, from_status, to_status, actor, remark, public FROM complaint_events"
                           " WHERE complaint_id = ? ORDER BY id", [cid]),
        "sms": [r[0] for r in row(con, "SELECT template FROM sms_outbox WHERE complaint_id = ? ORDER BY id", [cid])],
        "audit": [r[0] for r in row(con, "SELECT action FROM audit_log ORDER BY id")],
    }


def version(con, cid) -> int:
    return facts(con, cid)["version"]


def soon(days=5) -> date:
    return datetime.now(IST).date() + timedelta(days=days)


def to_department(con, people, cid, departments=("PHED",)):
    dc = people["dc_rewari"]
    actions.start_scrutiny(con, dc, cid, version(con, cid))
    actions.accept(con, dc, cid, version(con, cid))
    orders = [(d, f"Restore the supply in ward 7 ({d})", soon()) for d in departments]
    return actions.give_directions(con, dc, cid, version(con, cid), orders)


def to_resolved(con, people, cid, now=None):
    to_department(con, people, cid)
    actions.file_report(con, people["officer_phed"], cid, version(con, cid), "Pipeline repaired, supply restored.")
    return actions.resolve(con, people["dc_rewari"], cid, version(con, cid), track_url=TRACK_URL, now=now)


# ---- each action writes everything together ----

def test_the_whole_road_writes_status_history_sms_and_audit_together(con, people, file):
    cid = file()
    dc, phed = people["dc_rewari"], people["officer_phed"]
    road = [
        (lambda v: actions.start_scrutiny(con, dc, cid, v, "checking papers"), "under_scrutiny", None),
        (lambda v: actions.accept(con, dc, cid, v), "accepted", "accepted"),
        (lambda v: booking.schedule_hearing(con, dc, cid, v), "hearing_scheduled", "hearing_scheduled"),
        (lambda v: booking.record_hearing(con, dc, cid, v, "heard both sides"), "heard", "hearing_held_pending"),
        (lambda v: actions.give_directions(con, dc, cid, v, [("PHED", "Repair the main line", soon())]),
         "with_department", "forwarded"),
        (lambda v: actions.file_report(con, phed, cid, v, "Main line repaired on Monday."), "action_reported", None),
        (lambda v: actions.send_back(con, dc, cid, v, "Attach photos of the repair"), "with_department", None),
        (lambda v: actions.file_report(con, phed, cid, v, "Photos attached, line tested."), "action_reported", None),
        (lambda v: actions.resolve(con, dc, cid, v, track_url=TRACK_URL), "resolved", "resolved_feedback"),
        (lambda v: actions.close(con, dc, cid, v), "closed", None),
    ]
    for act, status, sms in road:
        before = facts(con, cid)
        done = act(before["version"])
        after = facts(con, cid)
        assert (done.status, after["status"], after["version"]) == (status, status, before["version"] + 1)
        new_events = after["events"][len(before["events"]):]
        assert new_events[0][1:3] == (before["status"], status)            # from, to
        assert new_events[0][5] is True                                    # the citizen sees the step
        assert after["sms"][len(before["sms"]):] == ([sms] if sms else [])
        assert len(after["audit"]) == len(before["audit"]) + 1
        assert after["audit"][-1].startswith("complaint.")
    # The citizen's track page tells the story without any officer's words.
    found = tracking.find_complaint(con, facts(con, cid)["status"] and _tracking_no(con, cid), "9876543210")
    labels = [e.label("en", {"PHED": ("Public Health Engineering", "जन स्वास्थ्य")}) for e in found.events]
    assert "Directions given to Public Health Engineering (report by " + soon().strftime("%d-%m-%Y") + ")" in labels
    assert "Action taken report from Public Health Engineering" in labels
    assert labels[-1] == "Status changed to: Closed"
    assert not any("checking papers" in label or "heard both sides" in label for label in labels)


def _tracking_no(con, cid) -> str:
    return row(con, "SELECT tracking_no FROM complaints WHERE id = ?", [cid])[0][0]


def test_an_officers_remark_is_kept_internal(con, people, file):
    cid = file()
    actions.start_scrutiny(con, people["dc_rewari"], cid, 0, "Called the citizen, papers fine")
    events = facts(con, cid)["events"]
    assert ("remark", "submitted", "under_scrutiny", "dc_rewari", "Called the citizen, papers fine", False) in events
    assert all(e[4] is None for e in events if e[5] and e[0] == "status_changed")


def test_a_refused_action_writes_nothing(con, people, file):
    cid = file()
    before = facts(con, cid)
    with pytest.raises(TransitionRefused) as refused:
        actions.close(con, people["dc_rewari"], cid, 0, "closing early")
    assert refused.value.key == "lifecycle.not_now"
    with pytest.raises(ComplaintNotFound):          # analysts see no complaint rows at all
        actions.accept(con, people["analyst_rewari"], cid, 0)
    with pytest.raises(InvalidInput):               # a forward needs a remark
        actions.forward(con, people["dc_rewari"], cid, 0, "PWD", "  ")
    assert facts(con, cid) == before


def test_reject_keeps_the_reason_and_tells_the_citizen(con, people, file):
    cid = file(language="en")
    actions.start_scrutiny(con, people["dc_rewari"], cid, 0)
    actions.reject(con, people["dc_rewari"], cid, 1, RejectionReason.COURT_MATTER, "Case pending in civil court")
    assert row(con, "SELECT rejection_reason FROM complaints WHERE id = ?", [cid]) == [("court_matter",)]
    body = row(con, "SELECT body FROM sms_outbox WHERE template = 'rejected'")[0][0]
    assert "Reason: matter pending in a court." in body
    with pytest.raises(InvalidInput):
        actions.reject(con, people["dc_rewari"], cid, 2, "not-a-reason")


def test_sms_go_in_the_complaints_language_with_one_key_per_event(con, people, file):
    cid = file(language="hi")
    to_department(con, people, cid)
    rows_ = row(con, "SELECT language, idempotency_key, body FROM sms_outbox WHERE complaint_id = ?"
                     " AND template <> 'acknowledgement'", [cid])
    assert [r[0] for r in rows_] == ["hi", "hi"]
    assert len({r[1] for r in rows_}) == 2
    assert "स्वीकार" in rows_[0][2]


def test_a_deactivated_user_is_refused_even_with_an_old_session(con, people, file):
    cid = file()
    with transaction(con) as cur:
        users_db.update_user(cur, "dc_rewari", active=False)
    with pytest.raises(TransitionRefused):
        actions.start_scrutiny(con, people["dc_rewari"], cid, 0)
    assert facts(con, cid)["status"] == "submitted"


# ---- two officers at once ----

def test_two_officers_with_the_same_version_one_wins_and_nothing_is_overwritten(con, people, file):
    cid = file()
    actions.start_scrutiny(con, people["dc_rewari"], cid, 0)
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def act(name, call):
        barrier.wait()
        try:
            results[name] = call()
        except Exception as exc:   # noqa: BLE001 - the test inspects what each thread got
            results[name] = exc

    threads = [
        threading.Thread(target=act, args=("dc_rewari", lambda: actions.accept(con, people["dc_rewari"], cid, 1))),
        threading.Thread(target=act, args=("dc_clerk", lambda: actions.reject(
            con, CLERK, cid, 1, RejectionReason.RTI, "Use RTI"))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    winners = [n for n, r in results.items() if isinstance(r, steps.Done)]
    losers = [r for r in results.values() if isinstance(r, StaleComplaint)]
    assert len(winners) == 1 and len(losers) == 1, results
    winner = winners[0]
    assert losers[0].changed_by == winner
    assert "changed by " + winner in losers[0].message("en") and "IST" in losers[0].message("en")
    after = facts(con, cid)
    assert after["version"] == 2
    assert after["status"] == ("accepted" if winner == "dc_rewari" else "rejected")
    assert len([e for e in after["events"] if e[1] == "under_scrutiny" and e[0] != "remark"]) == 1
    assert len(after["sms"]) == 2                       # acknowledgement + the winner's


def test_a_stale_version_is_refused_naming_who_changed_it(con, people, file):
    cid = file()
    actions.start_scrutiny(con, people["dc_rewari"], cid, 0)
    before = facts(con, cid)
    with pytest.raises(StaleComplaint) as stale:
        actions.forward(con, CLERK, cid, 0, "PWD", "wrong department")
    assert stale.value.changed_by == "dc_rewari"
    assert facts(con, cid) == before


# ---- bulk ----

def test_bulk_forward_moves_all_selected(con, people, file):
    ids = [file() for _ in range(3)]
    done = actions.bulk_forward(con, people["dc_rewari"], [(i, 0) for i in ids], "PWD", "Road cut, PWD's work")
    assert [d.status for d in done] == ["submitted"] * 3
    for i in ids:
        assert (facts(con, i)["department"], facts(con, i)["transfers"], facts(con, i)["sms"][-1]) == \
            ("PWD", 1, "forwarded")


def test_bulk_forward_with_one_stale_item_changes_none(con, people, file):
    ids = [file() for _ in range(3)]
    actions.start_scrutiny(con, people["dc_rewari"], ids[1], 0)           # someone moved the middle one
    before = {i: facts(con, i) for i in ids}
    with pytest.raises(BulkRefused) as refused:
        actions.bulk_forward(con, people["dc_rewari"], [(i, 0) for i in ids], "PWD", "Road cut")
    assert refused.value.complaint == _tracking_no(con, ids[1])
    assert isinstance(refused.value.cause, StaleComplaint)
    assert _tracking_no(con, ids[1]) in refused.value.message("en")
    assert {i: facts(con, i) for i in ids} == before


def test_bulk_close_duplicates_rejects_each_as_duplicate_or_none(con, people, file):
    original, a, b = file(), file(), file()
    actions.start_scrutiny(con, people["dc_rewari"], b, 0)
    done = actions.bulk_close_duplicates(con, people["dc_rewari"], [(a, 0), (b, 1)], _tracking_no(con, original),
                                         "same leak")
    assert [d.status for d in done] == ["rejected", "rejected"]
    assert row(con, "SELECT DISTINCT rejection_reason FROM complaints WHERE id IN (?, ?)", [a, b]) == [("duplicate",)]
    assert facts(con, original)["status"] == "submitted"
    remark = [e[4] for e in facts(con, a)["events"] if e[0] == "remark"]
    assert remark == [f"{_tracking_no(con, original)}: same leak"]

    c, d = file(), file()
    before = {i: facts(con, i) for i in (c, d)}
    with pytest.raises(BulkRefused) as refused:       # an officer may not close complaints at all
        actions.bulk_close_duplicates(con, people["dc_rewari"], [(c, 0), (d, 5)], _tracking_no(con, original))
    assert refused.value.complaint == _tracking_no(con, d)
    with pytest.raises(BulkRefused):
        actions.bulk_close_duplicates(con, people["dc_rewari"], [(c, 0)], "RWR-2026-999999")
    assert {i: facts(con, i) for i in (c, d)} == before


# ---- departments ----

def test_an_officer_of_another_department_can_neither_load_nor_act(con, people, file):
    cid = file()
    to_department(con, people, cid)
    pwd = people["officer_pwd"]
    assert detail.find_case(con, pwd, cid) is None
    assert detail.find_case(con, pwd, _tracking_no(con, cid)) is None
    before = facts(con, cid)
    with pytest.raises(ComplaintNotFound):
        actions.file_report(con, pwd, cid, before["version"], "We did something else entirely.")
    with pytest.raises(ComplaintNotFound):
        actions.forward(con, pwd, cid, before["version"], "ULB", "not ours")
    assert facts(con, cid) == before
    assert detail.find_case(con, people["officer_phed"], cid).tracking_no == _tracking_no(con, cid)


def test_directions_to_two_departments_wait_for_both_reports(con, people, file):
    cid = file()
    to_department(con, people, cid, departments=("PHED", "PWD"))
    assert facts(con, cid)["department"] == "PHED"                   # the first direction's department
    pwd_case = detail.find_case(con, people["officer_pwd"], cid)       # visible through its direction
    assert pwd_case is not None and pwd_case.open_directions == {"PHED", "PWD"}
    actions.file_report(con, people["officer_pwd"], cid, version(con, cid), "Road restored after the repair.")
    assert facts(con, cid)["status"] == "with_department"
    with pytest.raises(TransitionRefused):                          # PWD has reported; only PHED owes one
        actions.file_report(con, people["officer_pwd"], cid, version(con, cid), "Second report from PWD.")
    actions.file_report(con, people["officer_phed"], cid, version(con, cid), "Pipeline repaired and tested.")
    assert facts(con, cid)["status"] == "action_reported"
    case = detail.find_case(con, people["dc_rewari"], cid)
    assert [d.reported_at is not None for d in case.directions] == [True, True]
    assert [r.department_code for r in case.reports] == ["PWD", "PHED"]


def test_forwarding_hands_open_directions_over_and_officers_stop_after_three(con, people, file):
    cid = file()
    to_department(con, people, cid)
    chain = ["officer_phed", "officer_pwd", "officer_ulb"]
    targets = ["PWD", "ULB", "PHED"]
    for who, target in zip(chain, targets):
        actions.forward(con, people[who], cid, version(con, cid), target, "Not our work")
    assert (facts(con, cid)["department"], facts(con, cid)["transfers"]) == ("PHED", 3)
    assert detail.find_case(con, people["officer_phed"], cid).open_directions == {"PHED"}
    with pytest.raises(TransitionRefused) as refused:
        actions.forward(con, people["officer_phed"], cid, version(con, cid), "PWD", "Not ours again")
    assert refused.value.key == "lifecycle.too_many_transfers"
    actions.forward(con, people["dc_rewari"], cid, version(con, cid), "PWD", "DC decides: PWD")
    assert facts(con, cid)["transfers"] == 4
    with pytest.raises(InvalidInput):
        actions.forward(con, people["dc_rewari"], cid, version(con, cid), "PWD", "same again")


def test_directions_are_checked_before_anything_is_written(con, people, file):
    cid = file()
    actions.start_scrutiny(con, people["dc_rewari"], cid, 0)
    actions.accept(con, people["dc_rewari"], cid, 1)
    before = facts(con, cid)
    for orders in ([], [("PHED", "Fix", soon())], [("PHED", "Fix the pipe", soon(400))],
                   [("NOPE", "Fix the pipe", soon())], [("PHED", "Fix the pipe", soon())] * 6):
        with pytest.raises(InvalidInput):
            actions.give_directions(con, people["dc_rewari"], cid, 2, orders)
    assert facts(con, cid) == before


# ---- the citizen after resolution ----

def answer_counts(con, cid: int) -> tuple[int, int, int]:
    """The complaint row's count of "solved", "partly" and "not solved" answers (migration 023)."""
    return tuple(row(con, "SELECT feedback_solved, feedback_partly, feedback_not_solved FROM complaints"
                          " WHERE id = ?", [cid])[0])


def test_not_solved_within_30_days_reopens_and_history_keeps_both(con, people, file):
    cid = file()
    resolved = to_resolved(con, people, cid)
    citizen = Citizen(_tracking_no(con, cid), MOBILE)
    done = actions.record_feedback(con, citizen, cid, resolved.version, Feedback.NOT_SOLVED,
                                   now=datetime.now(IST) + timedelta(days=29))
    after = facts(con, cid)
    assert (done.status, after["status"]) == ("with_department", "with_department")
    kinds = [e[0] for e in after["events"]]
    assert kinds[-2:] == ["feedback", "reopened"] and ("status_changed", "action_reported", "resolved") in \
        [(e[0], e[1], e[2]) for e in after["events"]]
    assert after["sms"][-1] == "reopened"
    assert row(con, "SELECT answer FROM feedback WHERE complaint_id = ?", [cid]) == [("not_solved",)]
    assert answer_counts(con, cid) == (0, 0, 1)                    # what the analytics page counts
    # Back with PHED, which reports again.
    actions.file_report(con, people["officer_phed"], cid, after["version"], "Pressure fixed at the valve.")
    assert facts(con, cid)["status"] == "action_reported"


def test_reopening_after_30_days_is_refused(con, people, file):
    cid = file()
    resolved = to_resolved(con, people, cid)
    before = facts(con, cid)
    with pytest.raises(TransitionRefused) as refused:
        actions.reopen_by_citizen(con, Citizen(_tracking_no(con, cid), MOBILE), cid, resolved.version,
                                  now=datetime.now(IST) + timedelta(days=31))
    assert refused.value.key == "lifecycle.reopen_expired"
    assert facts(con, cid) == before


def test_feedback_needs_the_citizens_own_mobile_and_is_given_once(con, people, file):
    cid = file()
    resolved = to_resolved(con, people, cid)
    with pytest.raises(ComplaintNotFound):
        actions.record_feedback(con, Citizen(_tracking_no(con, cid), "+919812345678"), cid, resolved.version,
                                Feedback.SOLVED)
    citizen = Citizen(_tracking_no(con, cid), MOBILE)
    assert actions.record_feedback(con, citizen, cid, resolved.version, Feedback.SOLVED).status == "resolved"
    assert facts(con, cid)["version"] == resolved.version          # an answer alone changes no status
    assert answer_counts(con, cid) == (1, 0, 0)
    with pytest.raises(TransitionRefused) as refused:
        actions.record_feedback(con, citizen, cid, resolved.version, Feedback.NOT_SOLVED)
    assert refused.value.key == "casework.feedback_given"
    assert answer_counts(con, cid) == (1, 0, 0)                    # a refused answer is not counted
    assert not tracking.find_complaint(con, citizen.tracking_no, "9876543210").feedback_open


# ---- files ----

def test_an_atr_attachment_is_stored_encrypted(con, people, file, settings):
    cid = file()
    to_department(con, people, cid)
    store = actions.upload_store(settings)
    photo = jpeg_bytes(640, 480)
    actions.file_report(con, people["officer_phed"], cid, version(con, cid), "Repaired, photo attached.",
                        photo, store=store)
    doc_id, stored_name, kind = row(con, "SELECT id, stored_name, kind FROM documents WHERE kind = 'atr'")[0]
    on_disk = (settings.uploads_dir / stored_name).read_bytes()
    assert not on_disk.startswith(b"\xff\xd8") and b"JFIF" not in on_disk
    info, data = detail.load_document(con, store, people["officer_phed"], cid, doc_id)
    assert data.startswith(b"\xff\xd8\xff") and info.content_type == "image/jpeg"
    assert detail.find_case(con, people["dc_rewari"], cid).reports[0].document_id == doc_id
    assert detail.load_document(con, store, people["officer_pwd"], cid, doc_id) is None


def test_a_refused_report_leaves_no_stored_file(con, people, file, settings):
    cid = file()
    to_department(con, people, cid)
    store = actions.upload_store(settings)
    files_before = set(settings.uploads_dir.iterdir())
    with pytest.raises(StaleComplaint):
        actions.file_report(con, people["officer_phed"], cid, 0, "Repaired, photo attached.", jpeg_bytes(),
                            store=store)
    assert set(settings.uploads_dir.iterdir()) == files_before
    with pytest.raises(InvalidInput):
        actions.file_report(con, people["officer_phed"], cid, version(con, cid), "Repaired, see file.",
                            b"<script>", store=store)


def test_id_document_opens_for_the_dc_only_and_each_opening_is_audited(con, people, file, settings):
    cid = file()
    store = actions.upload_store(settings)
    for _ in range(2):
        info, data = detail.open_id_document(con, store, people["dc_rewari"], cid)
        assert info.kind == "id_proof" and data.startswith(b"\xff\xd8\xff")
    openings = row(con, "SELECT actor, target, detail FROM audit_log WHERE action = 'id_document.opened'")
    assert len(openings) == 2 and openings[0][:2] == ("dc_rewari", _tracking_no(con, cid))
    assert "opened ID document" in openings[0][2]
    to_department(con, people, cid)
    for user in (people["officer_phed"], people["analyst_rewari"], people["admin_rewari"]):
        with pytest.raises(NotAllowed):
            detail.open_id_document(con, store, user, cid)
    # An officer whose session claims the DC role is judged by the users table.
    with pytest.raises(NotAllowed):
        detail.open_id_document(con, store, User("officer_phed", "x", Role.DC, None), cid)
    assert len(row(con, "SELECT * FROM audit_log WHERE action = 'id_document.opened'")) == 2


def test_the_case_file_masks_aadhaar_and_holds_what_the_page_shows(con, people, file):
    cid = file()
    to_department(con, people, cid)
    case = detail.find_case(con, people["dc_rewari"], cid)
    assert case.masked_id.startswith("XXXX XXXX ") and len(case.masked_id) == 14
    assert not any(len(str(v)) == 12 and str(v).isdigit() for v in vars(case).values())
    assert case.citizen_name == "सुनीता देवी" and case.mobile == MOBILE
    assert {d.kind for d in case.documents} == {"id_proof"}
    rows_ = detail.history_rows(case, "en", {"PHED": ("Public Health Engineering", "x")})
    assert rows_[0][2] == "Complaint filed"
    assert rows_[-1][2] == "Directions given to departments"
    assert detail.find_case(con, people["analyst_rewari"], cid) is None
    assert detail.find_case(con, people["dc_rewari"], "not a number") is None
