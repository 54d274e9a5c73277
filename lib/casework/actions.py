"""The lifecycle actions on a complaint: scrutiny, acceptance or rejection, directions, transfers, the
department's report, resolution, sending back and closing; the citizen's word after resolution; bulk
actions, all or nothing. Each is one step (lib.casework.steps) with its own Plan; the hearing actions
are in lib.hearings.booking."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from lib.staff import audit
from lib.citizen import uploads
from lib.core.roles import User
from lib.core.complaints import Status, normalise_tracking_number
from lib.core.config import Settings
from lib.db.casework import cases as casework_db
from lib.db.casework import appeals as appeals_db
from lib.db.connect import retrying, transaction
from lib.casework.steps import (BulkRefused, Citizen, ComplaintNotFound, Done, Outcome, Plan, StaleComplaint,
                                act, checked_text, now_in_ist, plain, server_user, step)
from lib.core.lifecycle import (CITIZEN, Action, CaseEvent, ComplaintState, Feedback, RejectionReason,
                                TransitionRefused, can_give_feedback)
from lib.sms.templates import REJECTION_REASON_SMS
from lib.core.problems import InvalidInput, Problem

MAX_DIRECTIONS = 5
DIRECTION_WITHIN_DAYS = 90          # a report-back date further away is almost surely a typo
SEND_BACK_DAYS = 7                  # default time a department gets to report again


@dataclass(frozen=True)
class DirectionOrder:
    department_code: str
    instruction: str
    report_by: date


# ---- the actions ----

def start_scrutiny(con, user: User, complaint_id: int, expected_version: int, remark: str = "", *,
                   now: datetime | None = None) -> Done:
    return act(con, user, complaint_id, expected_version, Action.START_SCRUTINY, now, None,
               checked_text(remark, "remark"))


def accept(con, user: User, complaint_id: int, expected_version: int, remark: str = "", *,
           now: datetime | None = None) -> Done:
    moment = now_in_ist(now)

    def plan(cur, snap, target, fresh) -> Outcome:
        return Outcome(changes={"accepted_at": moment}, sms="accepted")
    return act(con, user, complaint_id, expected_version, Action.ACCEPT, moment, plan, checked_text(remark, "remark"))


def reject(con, user: User, complaint_id: int, expected_version: int, reason: RejectionReason | str,
           remark: str = "", *, now: datetime | None = None) -> Done:
    return act(con, user, complaint_id, expected_version, Action.REJECT, now,
               _rejection(_reason(reason)), checked_text(remark, "remark"))


def _reason(reason) -> RejectionReason:
    try:
        return RejectionReason(reason)
    except ValueError:
        raise InvalidInput(Problem("reason", "error.required")) from None


def _rejection(reason: RejectionReason) -> Plan:
    def plan(cur, snap, target, fresh) -> Outcome:
        return Outcome(event=CaseEvent.REJECTED, code=reason, changes={"rejection_reason": reason},
                       sms="rejected", sms_variables={"reason": REJECTION_REASON_SMS[snap.language][reason]},
                       detail=reason)
    return plan


def check_directions(orders: Sequence[DirectionOrder | tuple], today: date) -> list[DirectionOrder]:
    """The directions as given, or InvalidInput naming each bad row (field direction_<n>)."""
    checked, problems = [], []
    if not orders:
        problems.append(Problem("directions", "casework.directions_required"))
    if len(orders) > MAX_DIRECTIONS:
        problems.append(Problem("directions", "casework.too_many_directions", {"max": MAX_DIRECTIONS}))
    for i, order in enumerate(orders[:MAX_DIRECTIONS]):
        department, instruction, report_by = (order.department_code, order.instruction, order.report_by) \
            if isinstance(order, DirectionOrder) else order
        where = f"direction_{i}"
        if not department:
            problems.append(Problem(where, "casework.department_required"))
        try:
            instruction = checked_text(instruction, "instruction", required=True)
        except InvalidInput as exc:
            problems += [Problem(where, p.key, p.params) for p in exc.problems]
        if not isinstance(report_by, date) or not today <= report_by <= today + timedelta(days=DIRECTION_WITHIN_DAYS):
            problems.append(Problem(where, "casework.report_by_range", {"days": DIRECTION_WITHIN_DAYS}))
        checked.append(DirectionOrder(department, instruction, report_by))
    if problems:
        raise InvalidInput(problems)
    return checked


def _require_department(cur, code: str | None, where: str) -> None:
    if not casework_db.is_active_department(cur, code):
        raise InvalidInput(Problem(where, "casework.department_required"))


def give_directions(con, user: User, complaint_id: int, expected_version: int,
                    directions: Sequence[DirectionOrder | tuple], remark: str = "", *,
                    now: datetime | None = None) -> Done:
    """The DC's directions at any time after acceptance (also while a hearing is booked, which then stays
    booked): each to a department with an instruction and a report-back date. The first direction's
    department becomes the complaint's."""
    moment = now_in_ist(now)
    orders = check_directions(list(directions), moment.date())
    return act(con, user, complaint_id, expected_version, Action.SEND_TO_DEPARTMENT, moment,
               directing(orders, moment), checked_text(remark, "remark"))


def directing(orders: Sequence[DirectionOrder], moment: datetime) -> Plan:
    """Write the (checked) directions. With none, the directions already open go to work (a hearing
    recorded held after directions were given while it was booked): only the status moves."""
    def plan(cur, snap, target, fresh) -> Outcome:
        if not orders:
            return Outcome(sms="forwarded", detail=", ".join(sorted(snap.open_directions)))
        for i, order in enumerate(orders):
            _require_department(cur, order.department_code, f"direction_{i}")
            # given_at = the history entry's time: that is how the track page finds them.
            casework_db.add_direction(cur, snap.id, order.department_code, order.instruction,
                                      order.report_by, fresh.username, moment)
        return Outcome(event=CaseEvent.DIRECTIONS_GIVEN, changes={"department_code": orders[0].department_code},
                       sms="forwarded", detail=", ".join(o.department_code for o in orders))
    return plan


def _forwarding(to_department: str) -> Plan:
    def plan(cur, snap, target, fresh) -> Outcome:
        _require_department(cur, to_department, "department")
        if to_department == snap.department_code:
            raise InvalidInput(Problem("department", "casework.same_department"))
        casework_db.readdress_open_directions(cur, snap.id, snap.department_code, to_department)
        return Outcome(event=CaseEvent.FORWARDED, code=to_department,
                       changes={"department_code": to_department, "transfers": snap.transfers + 1},
                       sms="forwarded", detail=f"{snap.department_code or '—'} -> {to_department}")
    return plan


def forward(con, user: User, complaint_id: int, expected_version: int, to_department: str, remark: str, *,
            now: datetime | None = None) -> Done:
    """Transfer to another department, with the reason. Officers forward at most MAX_TRANSFERS times
    in all; after that only the DC's office moves the complaint. Its outstanding directions go along."""
    return act(con, user, complaint_id, expected_version, Action.FORWARD, now, _forwarding(to_department),
               checked_text(remark, "remark", required=True))


def upload_store(settings: Settings) -> uploads.UploadStore:
    return uploads.UploadStore(settings.uploads_dir, settings.uploads_fernet_key)


def file_report(con, user: User, complaint_id: int, expected_version: int, report: str,
                attachment: bytes | None = None, *, store: uploads.UploadStore | None = None,
                now: datetime | None = None) -> Done:
    """The action taken report of the officer's department. It answers that department's open
    directions; when no department owes a report any more the complaint is action_reported.
    The optional attachment is checked and stored encrypted, like a citizen's upload."""
    moment = now_in_ist(now)
    text = checked_text(report, "report", required=True)
    prepared = uploads.prepare_upload(attachment, "attachment") if attachment else None
    if prepared is not None and store is None:
        raise ValueError("file_report needs the upload store for an attachment")
    stored_name = store.save(prepared.data) if prepared else None

    def plan(cur, snap, target, fresh) -> Outcome:
        department = fresh.department_code
        document_id = None
        if prepared:
            document_id = casework_db.add_document(cur, snap.id, "atr", stored_name, prepared.content_type,
                                                   prepared.size, prepared.sha256, moment)
        casework_db.add_action_report(cur, snap.id, department, text, document_id, fresh.username, moment)
        casework_db.mark_directions_reported(cur, snap.id, department, moment)
        return Outcome(event=CaseEvent.REPORT_FILED, code=department, detail=department)
    try:
        return act(con, user, complaint_id, expected_version, Action.FILE_REPORT, moment, plan)
    except BaseException:
        if stored_name:
            store.delete(stored_name)         # nothing refers to it: the transaction rolled back
        raise


def resolve(con, user: User, complaint_id: int, expected_version: int, remark: str = "", *, track_url: str,
            now: datetime | None = None) -> Done:
    """Resolved: the citizen is asked by SMS to say on the track page whether it really is."""
    moment = now_in_ist(now)

    def plan(cur, snap, target, fresh) -> Outcome:
        return Outcome(changes={"resolved_at": moment}, sms="resolved_feedback",
                       sms_variables={"track_url": track_url})
    return act(con, user, complaint_id, expected_version, Action.RESOLVE, moment, plan, checked_text(remark, "remark"))


def send_back(con, user: User, complaint_id: int, expected_version: int, remark: str,
              report_by: date | None = None, *, now: datetime | None = None) -> Done:
    """The report is not enough: back to the complaint's department with a new direction (the remark,
    due by `report_by`, SEND_BACK_DAYS from today unless given)."""
    moment = now_in_ist(now)
    text = checked_text(remark, "remark", required=True)
    due = report_by or moment.date() + timedelta(days=SEND_BACK_DAYS)
    if not moment.date() <= due <= moment.date() + timedelta(days=DIRECTION_WITHIN_DAYS):
        raise InvalidInput(Problem("report_by", "casework.report_by_range", {"days": DIRECTION_WITHIN_DAYS}))

    def plan(cur, snap, target, fresh) -> Outcome:
        casework_db.add_direction(cur, snap.id, snap.department_code, text, due, fresh.username, moment)
        return Outcome(detail=f"report by {due.isoformat()}")
    return act(con, user, complaint_id, expected_version, Action.SEND_BACK, moment, plan, text)


def close(con, user: User, complaint_id: int, expected_version: int, remark: str = "", *,
          now: datetime | None = None) -> Done:
    return act(con, user, complaint_id, expected_version, Action.CLOSE, now, None, checked_text(remark, "remark"))


# ---- the citizen's word after resolution ----

def _reopening(cur, snap, target, fresh) -> Outcome:
    return Outcome(event=CaseEvent.REOPENED, changes={"resolved_at": None, "reopen_count": snap.reopen_count + 1},
                   sms="reopened")


def record_feedback(con, citizen: Citizen, complaint_id: int, expected_version: int, answer: Feedback | str, *,
                    now: datetime | None = None) -> Done:
    """Solved / partly / not solved, once per resolution and within 30 days of it. "Not solved"
    reopens the complaint; the history keeps the resolution, the answer and the reopening."""
    moment = now_in_ist(now)
    try:
        answer = Feedback(answer)
    except ValueError:
        raise InvalidInput(Problem("feedback", "error.required")) from None

    def work() -> Done:
        with transaction(con) as cur:
            snap = casework_db.snapshot_for_citizen(cur, complaint_id, citizen.tracking_no, citizen.mobile)
            if snap is None:
                raise ComplaintNotFound(complaint_id)
            state = ComplaintState(Status(snap.status), snap.department_code, snap.transfers, snap.resolved_at)
            if not can_give_feedback(state, moment):
                raise TransitionRefused("lifecycle.reopen_expired")
            if casework_db.feedback_since(cur, snap.id, snap.resolved_at):
                raise TransitionRefused("casework.feedback_given")
            if appeals_db.is_upheld(cur, snap.id):        # appeals (issue #15): closed for good
                raise TransitionRefused("appeal.final")
            casework_db.add_feedback(cur, snap.id, answer, moment)
            casework_db.add_event(cur, snap.id, moment, CITIZEN, CaseEvent.FEEDBACK, snap.status, snap.status,
                                  answer, True)
            audit.record(cur, CITIZEN, "complaint.feedback", snap.tracking_no, answer, moment)
            if answer == Feedback.NOT_SOLVED:
                return step(cur, citizen, complaint_id, expected_version, Action.REOPEN, moment, _reopening)
            # An answer that changes no status needs no version check: it cannot overwrite anything.
            return Done(snap.tracking_no, snap.status, snap.version)
    return retrying(work)


def reopen_by_citizen(con, citizen: Citizen, complaint_id: int, expected_version: int, *,
                      now: datetime | None = None) -> Done:
    """The citizen says the problem is not solved: reopened, back with the department."""
    return record_feedback(con, citizen, complaint_id, expected_version, Feedback.NOT_SOLVED, now=now)


# ---- bulk actions: all or nothing ----

def _bulk(con, user: User, items: Sequence[tuple[int, int]], now: datetime | None, steps) -> list[Done]:
    moment = now_in_ist(now)
    if not items:
        raise InvalidInput(Problem("selection", "casework.nothing_selected"))

    def work() -> list[Done]:
        done = []
        with transaction(con) as cur:
            for complaint_id, version in items:
                try:
                    done.append(steps(cur, complaint_id, version, moment))
                except (TransitionRefused, StaleComplaint, ComplaintNotFound, InvalidInput) as exc:
                    name = getattr(exc, "tracking_no", None) or f"#{complaint_id}"
                    raise BulkRefused(name, exc) from exc
        return done
    return retrying(work)


def bulk_forward(con, user: User, items: Sequence[tuple[int, int]], to_department: str, remark: str, *,
                 now: datetime | None = None) -> list[Done]:
    """Forward every selected (complaint id, version) with one remark, or none of them."""
    text = checked_text(remark, "remark", required=True)
    plan = _forwarding(to_department)
    return _bulk(con, user, items, now, lambda cur, cid, version, moment: step(
        cur, user, cid, version, Action.FORWARD, moment, plan, text))


def bulk_close_duplicates(con, user: User, items: Sequence[tuple[int, int]], of_tracking_no: str, remark: str = "",
                          *, now: datetime | None = None) -> list[Done]:
    """Merge every selected complaint into `of_tracking_no` (the survivor), or none of them: each is
    rejected as its duplicate, its citizen gets an SMS naming the survivor, and a public history entry
    (CaseEvent.MERGED) names the survivor, which the citizen's track page then follows. A complaint
    not yet under scrutiny is first taken into scrutiny, so each step is one the lifecycle allows.
    Refused: a survivor that is unknown, out of the user's scope, rejected or closed, or one of the
    selected complaints itself."""
    original_no = normalise_tracking_number(of_tracking_no)
    text = checked_text(remark, "remark")
    note = f"{original_no}: {text}" if text else original_no

    def steps(cur, cid, version, moment) -> Done:
        original = casework_db.snapshot_for_user(cur, server_user(cur, user), original_no) if original_no else None
        if original is None:
            raise InvalidInput(Problem("original", "casework.original_not_found"))
        if original.id == cid:
            raise InvalidInput(Problem("original", "casework.duplicate_of_itself"))
        if original.status in (Status.REJECTED, Status.CLOSED):
            raise InvalidInput(Problem("original", "casework.original_finished"))
        snap = casework_db.snapshot_for_user(cur, server_user(cur, user), cid)
        if snap is not None and snap.version == version and snap.status == Status.SUBMITTED:
            version = step(cur, user, cid, version, Action.START_SCRUTINY, moment, plain).version
        done = step(cur, user, cid, version, Action.REJECT, moment, _merging(original.tracking_no), note)
        casework_db.add_event(cur, cid, moment, user.username, CaseEvent.MERGED, done.status, done.status,
                              original.tracking_no, True)
        return done
    return _bulk(con, user, items, now, steps)


def _merging(original_no: str) -> Plan:
    """Rejected as a duplicate, like _rejection, but the SMS names the complaint it joined."""
    def plan(cur, snap, target, fresh) -> Outcome:
        reason = RejectionReason.DUPLICATE
        return Outcome(event=CaseEvent.REJECTED, code=reason, changes={"rejection_reason": reason},
                       sms="merged", sms_variables={"original": original_no}, detail=f"{reason} of {original_no}")
    return plan
