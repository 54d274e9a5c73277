"""Working on a complaint: each lifecycle action is one transaction that checks the rules, changes the
complaint only if nobody else did first, writes the history, the citizen's SMS and the audit trail,
or changes nothing at all."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from lib.staff import audit
from lib.hearings import hearings
from lib.citizen import uploads
from lib.core.roles import Role
from lib.core.roles import User
from lib.core.complaints import EventKind, Status, normalise_tracking_number
from lib.core.config import Settings
from lib.db.casework import cases as casework_db
from lib.db import sms as outbox_db
from lib.db.staff import users as users_db
from lib.db.casework.cases import Case, CaseSnapshot, DocumentInfo
from lib.db.connect import retrying, transaction
from lib.core.states import HearingEvent, HearingStatus
from lib.hearings.hearings import HearingRefused, Slot, SlotTaken
from lib.core.i18n import t
from lib.core.lifecycle import (CITIZEN, Action, CaseEvent, ComplaintState, Feedback, RejectionReason, TransitionRefused, can_give_feedback, next_status)
from lib.sms.templates import REJECTION_REASON_SMS, render
from lib.core.problems import InvalidInput, Problem
from lib.citizen.receipt import format_time
from lib.citizen.tracking import event_label

IST = ZoneInfo("Asia/Kolkata")

MAX_DIRECTIONS = 5
DIRECTION_WITHIN_DAYS = 90          # a report-back date further away is almost surely a typo
SEND_BACK_DAYS = 7                  # default time a department gets to report again
TEXT_LIMITS = {"remark": (0, 1000), "instruction": (5, 1000), "report": (10, 4000)}


class StaleComplaint(Exception):
    """Someone else changed the complaint after this user loaded it; nothing was written."""
    key = "lifecycle.stale"

    def __init__(self, tracking_no: str, changed_by: str | None, changed_at: datetime | None):
        self.tracking_no, self.changed_by, self.changed_at = tracking_no, changed_by, changed_at
        super().__init__(f"{tracking_no} changed by {changed_by} at {changed_at}")

    def message(self, language: str) -> str:
        who = t(language, "casework.actor_citizen") if self.changed_by == CITIZEN else (self.changed_by or "—")
        when = format_time(self.changed_at) if self.changed_at else "—"
        return t(language, self.key, who=who, when=when)


class ComplaintNotFound(LookupError):
    """No such complaint for this user: it does not exist, or it is not theirs to see."""
    key = "casework.not_found"


class NotAllowed(PermissionError):
    """The user's role may not do this (say, open an ID document)."""

    def __init__(self, key: str):
        self.key = key
        super().__init__(key)


class BulkRefused(Exception):
    """One complaint of a bulk action was refused, so none was changed. `cause` says why."""
    key = "casework.bulk_refused"

    def __init__(self, complaint: str, cause: Exception):
        self.complaint, self.cause = complaint, cause
        super().__init__(f"{complaint}: {cause}")

    def message(self, language: str) -> str:
        return t(language, self.key, complaint=self.complaint, reason=describe(self.cause, language))


def describe(error: Exception, language: str) -> str:
    """Any refusal of this module, in the user's language."""
    if isinstance(error, (StaleComplaint, BulkRefused, SlotTaken)):
        return error.message(language)
    if isinstance(error, InvalidInput):
        return " ".join(t(language, p.key, **p.params) for p in error.problems)
    return t(language, getattr(error, "key", "casework.failed"))


# Everything an action may refuse with; each carries a catalog key (or problems) for the page.
REFUSALS = (TransitionRefused, StaleComplaint, ComplaintNotFound, NotAllowed, BulkRefused, InvalidInput,
            SlotTaken, HearingRefused)


@dataclass(frozen=True)
class Citizen:
    """A citizen as the track page proved them: the tracking number and mobile they typed (normalised)."""
    tracking_no: str
    mobile: str


@dataclass(frozen=True)
class DirectionOrder:
    department_code: str
    instruction: str
    report_by: date


@dataclass(frozen=True)
class Done:
    """What an action left behind: the complaint's new status and version."""
    tracking_no: str
    status: str
    version: int


@dataclass(frozen=True)
class _Outcome:
    """What one action writes besides the status, decided inside its transaction."""
    event: str = EventKind.STATUS_CHANGED
    code: str | None = None                  # the fixed-list value a public history entry carries
    changes: dict = field(default_factory=dict)
    sms: str | None = None                   # template name
    sms_variables: dict = field(default_factory=dict)
    detail: str | None = None                # for the audit trail


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(IST)).astimezone(IST)


def _text(value: str | None, name: str, *, required: bool = False) -> str:
    text = (value or "").strip()
    low, high = TEXT_LIMITS[name]
    if required and not text:
        raise InvalidInput(Problem(name, "error.required"))
    if text and len(text) < low:
        raise InvalidInput(Problem(name, "error.too_short", {"min": low}))
    if len(text) > high:
        raise InvalidInput(Problem(name, "error.too_long", {"max": high}))
    return text


# ---- the one way any action is taken ----

Plan = Callable[[object, CaseSnapshot, Status, User | None], _Outcome]


def _server_user(cur, user: User) -> User:
    """Role and department as the users table says now, not as the session remembers them."""
    fresh = users_db.get_user(cur, user.username)
    if fresh is None or not fresh.active:
        raise TransitionRefused("lifecycle.not_your_role")
    return fresh


def _step(cur, actor: User | Citizen, complaint_id: int, expected_version: int, action: Action,
          now: datetime, plan: Plan, remark: str = "", *, keep_status: bool = False, name: str | None = None) -> Done:
    """`keep_status`: a change allowed exactly when `action` is, that leaves the status as it is (moving a
    hearing is allowed when cancelling it is); `name` is then what the audit trail calls it."""
    if isinstance(actor, Citizen):
        fresh, role, department, actor_name = None, CITIZEN, None, CITIZEN
        snap = casework_db.snapshot_for_citizen(cur, complaint_id, actor.tracking_no, actor.mobile)
    else:
        fresh = _server_user(cur, actor)
        role, department, actor_name = fresh.role, fresh.department_code, fresh.username
        snap = casework_db.snapshot_for_user(cur, fresh, complaint_id)
    if snap is None:
        raise ComplaintNotFound(complaint_id)
    if snap.version != expected_version:
        raise StaleComplaint(snap.tracking_no, snap.updated_by, snap.updated_at)
    state = ComplaintState(Status(snap.status), snap.department_code, snap.transfers, snap.resolved_at,
                           snap.open_directions)
    target = next_status(state, action, role, department, now)
    if keep_status:
        target = Status(snap.status)
    outcome = plan(cur, snap, target, fresh)
    new_version = casework_db.update_if_unchanged(cur, snap.id, expected_version,
                                                  {"status": target, **outcome.changes}, actor_name, now)
    if new_version is None:
        raise StaleComplaint(snap.tracking_no, *casework_db.last_change(cur, snap.id))
    event_id = casework_db.add_event(cur, snap.id, now, actor_name, outcome.event, snap.status, target,
                                     outcome.code, True)
    if remark:
        casework_db.add_event(cur, snap.id, now, actor_name, CaseEvent.REMARK, snap.status, target, remark, False)
    if outcome.sms:
        dlt_id, body = render(outcome.sms, snap.language, tracking_no=snap.tracking_no, **outcome.sms_variables)
        outbox_db.queue_sms(cur, complaint_id=snap.id, mobile=snap.mobile, language=snap.language,
                            template=outcome.sms, dlt_template_id=dlt_id, body=body,
                            idempotency_key=f"{outcome.sms}:{event_id}", created_at=now)
    audit.record(cur, actor_name, f"complaint.{name or action}", snap.tracking_no,
                 "; ".join(x for x in (f"{snap.status} -> {target}", outcome.detail, remark) if x), now)
    return Done(snap.tracking_no, target, new_version)


def _act(con, actor, complaint_id: int, expected_version: int, action: Action, now: datetime | None,
         plan: Plan | None = None, remark: str = "", **options) -> Done:
    moment = _now(now)

    def work() -> Done:
        with transaction(con) as cur:
            return _step(cur, actor, complaint_id, expected_version, action, moment, plan or _plain, remark,
                         **options)
    # Safe to repeat: a write-write conflict rolled everything back, and the version check
    # then turns the lost race into StaleComplaint.
    return retrying(work)


def _plain(cur, snap, target, user) -> _Outcome:
    return _Outcome()


def _sms_only(template: str) -> Plan:
    return lambda cur, snap, target, user: _Outcome(sms=template)


# ---- the actions ----

def start_scrutiny(con, user: User, complaint_id: int, expected_version: int, remark: str = "", *,
                   now: datetime | None = None) -> Done:
    return _act(con, user, complaint_id, expected_version, Action.START_SCRUTINY, now, None,
                _text(remark, "remark"))


def accept(con, user: User, complaint_id: int, expected_version: int, remark: str = "", *,
           now: datetime | None = None) -> Done:
    moment = _now(now)

    def plan(cur, snap, target, fresh) -> _Outcome:
        return _Outcome(changes={"accepted_at": moment}, sms="accepted")
    return _act(con, user, complaint_id, expected_version, Action.ACCEPT, moment, plan, _text(remark, "remark"))


def reject(con, user: User, complaint_id: int, expected_version: int, reason: RejectionReason | str,
           remark: str = "", *, now: datetime | None = None) -> Done:
    return _act(con, user, complaint_id, expected_version, Action.REJECT, now,
                _rejection(_reason(reason)), _text(remark, "remark"))


def _reason(reason) -> RejectionReason:
    try:
        return RejectionReason(reason)
    except ValueError:
        raise InvalidInput(Problem("reason", "error.required")) from None


def _rejection(reason: RejectionReason) -> Plan:
    def plan(cur, snap, target, fresh) -> _Outcome:
        return _Outcome(event=CaseEvent.REJECTED, code=reason, changes={"rejection_reason": reason},
                        sms="rejected", sms_variables={"reason": REJECTION_REASON_SMS[snap.language][reason]},
                        detail=reason)
    return plan


# ---- hearings: the status change and the booking of its slot in one transaction ----

MAX_BOOKING_TRIES = 25              # "first free slot" moves on past slots others took meanwhile
EARLY_START = timedelta(minutes=30)  # a hearing may be marked held this long before its slot


def _reminders(cur, snap, hearing: hearings.Hearing, variables: dict, moment: datetime) -> None:
    """The day-before and 30-minute reminders, held back in the outbox until their time."""
    keys = dict(zip(hearings.Reminder, hearings.reminder_keys(hearing.id)))
    for kind, send_after in hearings.reminders(hearing.starts_at, moment):
        dlt_id, body = render(kind, snap.language, tracking_no=snap.tracking_no, **variables)
        outbox_db.queue_sms(cur, complaint_id=snap.id, mobile=snap.mobile, language=snap.language, template=kind,
                            dlt_template_id=dlt_id, body=body, idempotency_key=keys[kind], created_at=moment,
                            send_after=send_after)


def _booking(slot: Slot, moment: datetime, *, moving: bool, reason: str = "") -> Plan:
    """Book `slot` (a new video room, the claim, the SMS and its reminders); when `moving`, the booking
    that was on is closed as rescheduled first and gives its slot back."""
    def plan(cur, snap, target, fresh) -> _Outcome:
        old = hearings.booked_hearing(cur, snap.id)
        if moving and old is not None:
            hearings.close_booking(cur, old, HearingStatus.RESCHEDULED, reason, fresh.username, moment)
        elif old is not None:
            raise HearingRefused("hearing.already_booked")
        elif not hearings.may_book_again(hearings.no_shows_of(cur, snap.id)):
            raise HearingRefused("hearing.no_more_rebooking")
        new = hearings.claim_slot(cur, complaint_id=snap.id, slot=slot, by=fresh.username, now=moment,
                                  replaces=old.id if old else None)
        variables = hearings.sms_variables(new.starts_at, hearings.officer_title(cur, new.officer, snap.language),
                                           new.join_url)
        _reminders(cur, snap, new, variables, moment)
        detail = f"hearing #{new.id}: {new.officer} {new.when()}" + (f" (was #{old.id})" if old else "")
        if moving:
            return _Outcome(event=HearingEvent.RESCHEDULED, sms="hearing_rescheduled" if old else "hearing_booked",
                            sms_variables=variables, detail=detail)
        return _Outcome(sms="hearing_booked", sms_variables=variables, detail=detail)
    return plan


def schedule_hearing(con, user: User, complaint_id: int, expected_version: int, remark: str = "", *,
                     slot: Slot | None = None, now: datetime | None = None) -> Done:
    """Hearing scheduled. With a slot (the usual way, see book_hearing) the booking, its video room,
    the citizen's SMS with the join link and the two reminders go in the same transaction; SlotTaken
    if someone booked the slot first. Without one, only the status and a "time will follow" SMS."""
    moment = _now(now)
    plan = _booking(slot, moment, moving=False) if slot else _sms_only("hearing_scheduled")
    return _act(con, user, complaint_id, expected_version, Action.SCHEDULE_HEARING, moment, plan,
                _text(remark, "remark"))


def _next_offer(con, taken: Slot, moment: datetime) -> Slot | None:
    free = hearings.find_free_slots(con, taken.standing_in_for or taken.officer, now=moment)
    return next((s for s in free if s.starts_at >= taken.starts_at), free[0] if free else None)


def _first_free(con, complaint_id: int, officer: str, moment: datetime, book: Callable[[Slot], Done]) -> Done:
    """Book the first free slot of `officer` on one of the citizen's preferred dates (else the first
    free one), moving on to the next when someone else takes it first."""
    with con.cursor() as cur:
        preferred = hearings.preferred_dates(cur, complaint_id)
    lost: set[Slot] = set()
    for _ in range(MAX_BOOKING_TRIES):
        choice = hearings.choose_slot([s for s in hearings.find_free_slots(con, officer, now=moment)
                                       if s not in lost], preferred)
        if choice is None:
            raise HearingRefused("hearing.no_free_slot")
        try:
            return book(choice.slot)
        except SlotTaken:
            lost.add(choice.slot)
    raise HearingRefused("hearing.too_busy")


def _offering(con, slot: Slot, moment: datetime, book: Callable[[Slot], Done]) -> Done:
    try:
        return book(slot)
    except SlotTaken as taken:
        raise SlotTaken(slot, _next_offer(con, slot, moment)) from taken


def book_hearing(con, user: User, complaint_id: int, expected_version: int, officer: str, remark: str = "", *,
                 slot: Slot | None = None, now: datetime | None = None) -> Done:
    """Book a hearing with `officer`: the chosen slot (SlotTaken with the next free slot as its offer if
    someone took it first), or else the first free slot respecting the citizen's preferred dates."""
    moment = _now(now)

    def book(chosen: Slot) -> Done:
        return schedule_hearing(con, user, complaint_id, expected_version, remark, slot=chosen, now=moment)
    if slot is not None:
        return _offering(con, slot, moment, book)
    return _first_free(con, complaint_id, officer, moment, book)


def reschedule_hearing(con, user: User, complaint_id: int, expected_version: int, reason: str, *,
                       officer: str | None = None, slot: Slot | None = None, now: datetime | None = None) -> Done:
    """Move the hearing to the chosen slot or the first free one of `officer`, with the reason (internal).
    The status stays; the old booking is closed as rescheduled, its slot and reminders released, and the
    citizen gets the new time and a new join link. Allowed when cancelling the hearing is."""
    moment = _now(now)
    text = _text(reason, "remark", required=True)
    if slot is None and officer is None:
        raise InvalidInput(Problem("officer", "error.required"))

    def book(chosen: Slot) -> Done:
        return _act(con, user, complaint_id, expected_version, Action.CANCEL_HEARING, moment,
                    _booking(chosen, moment, moving=True, reason=text), text, keep_status=True,
                    name="reschedule_hearing")
    if slot is not None:
        return _offering(con, slot, moment, book)
    return _first_free(con, complaint_id, officer, moment, book)


def _calling_off(status: HearingStatus, moment: datetime, reason: str) -> Plan:
    """Cancelled (with its reason and the citizen's SMS) or missed (no-show): the booking ends and its
    reminders are called off; a cancelled one gives its slot back. A complaint scheduled before slots
    were booked has no booking: only its status changes, as before."""
    def plan(cur, snap, target, fresh) -> _Outcome:
        old = hearings.booked_hearing(cur, snap.id)
        if old is None:
            if status == HearingStatus.NO_SHOW:
                raise HearingRefused("hearing.none_booked")
            return _Outcome()
        if status == HearingStatus.NO_SHOW and moment < old.starts_at:
            raise HearingRefused("hearing.not_started")
        if status == HearingStatus.CANCELLED and not reason:
            raise InvalidInput(Problem("remark", "hearing.reason_required"))
        hearings.close_booking(cur, old, status, reason or None, fresh.username, moment)
        detail = f"hearing #{old.id}: {old.officer} {old.when()}"
        if status == HearingStatus.NO_SHOW:
            return _Outcome(event=HearingEvent.NO_SHOW, detail=detail)
        variables = hearings.sms_variables(old.starts_at, hearings.officer_title(cur, old.officer, snap.language),
                                           old.join_url)
        return _Outcome(event=HearingEvent.CANCELLED, sms="hearing_cancelled", sms_variables=variables, detail=detail)
    return plan


def cancel_hearing(con, user: User, complaint_id: int, expected_version: int, remark: str = "", *,
                   now: datetime | None = None) -> Done:
    """Call the hearing off; a booked one needs the reason (the remark). Back to accepted, to book again."""
    moment = _now(now)
    text = _text(remark, "remark")
    return _act(con, user, complaint_id, expected_version, Action.CANCEL_HEARING, moment,
                _calling_off(HearingStatus.CANCELLED, moment, text), text)


def record_no_show(con, user: User, complaint_id: int, expected_version: int, remark: str = "", *,
                   now: datetime | None = None) -> Done:
    """The citizen did not join: back to accepted. One more hearing may be booked (may_book_again)."""
    moment = _now(now)
    text = _text(remark, "remark")
    return _act(con, user, complaint_id, expected_version, Action.CANCEL_HEARING, moment,
                _calling_off(HearingStatus.NO_SHOW, moment, text), text, name="hearing_no_show")


def record_hearing(con, user: User, complaint_id: int, expected_version: int, remark: str = "", *,
                   now: datetime | None = None) -> Done:
    """The hearing was held: heard, and the booking (if any) attended. Not before its slot (less EARLY_START)."""
    moment = _now(now)

    def plan(cur, snap, target, fresh) -> _Outcome:
        old = hearings.booked_hearing(cur, snap.id)
        if old is None:
            return _Outcome()
        if moment < old.starts_at - EARLY_START:
            raise HearingRefused("hearing.not_started")
        hearings.close_booking(cur, old, HearingStatus.ATTENDED, None, fresh.username, moment)
        return _Outcome(detail=f"hearing #{old.id}: {old.officer} {old.when()}")
    return _act(con, user, complaint_id, expected_version, Action.RECORD_HEARING, moment, plan,
                _text(remark, "remark"))


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
            instruction = _text(instruction, "instruction", required=True)
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
    """The DC's directions after a hearing (or straight after acceptance): each to a department with
    an instruction and a report-back date. The first direction's department becomes the complaint's."""
    moment = _now(now)
    orders = check_directions(list(directions), moment.date())

    def plan(cur, snap, target, fresh) -> _Outcome:
        for i, order in enumerate(orders):
            _require_department(cur, order.department_code, f"direction_{i}")
            # given_at = the history entry's time: that is how the track page finds them.
            casework_db.add_direction(cur, snap.id, order.department_code, order.instruction,
                                      order.report_by, fresh.username, moment)
        return _Outcome(event=CaseEvent.DIRECTIONS_GIVEN, changes={"department_code": orders[0].department_code},
                        sms="forwarded", detail=", ".join(o.department_code for o in orders))
    return _act(con, user, complaint_id, expected_version, Action.SEND_TO_DEPARTMENT, moment, plan,
                _text(remark, "remark"))


def _forwarding(to_department: str) -> Plan:
    def plan(cur, snap, target, fresh) -> _Outcome:
        _require_department(cur, to_department, "department")
        if to_department == snap.department_code:
            raise InvalidInput(Problem("department", "casework.same_department"))
        casework_db.readdress_open_directions(cur, snap.id, snap.department_code, to_department)
        return _Outcome(event=CaseEvent.FORWARDED, code=to_department,
                        changes={"department_code": to_department, "transfers": snap.transfers + 1},
                        sms="forwarded", detail=f"{snap.department_code or '—'} -> {to_department}")
    return plan


def forward(con, user: User, complaint_id: int, expected_version: int, to_department: str, remark: str, *,
            now: datetime | None = None) -> Done:
    """Transfer to another department, with the reason. Officers forward at most MAX_TRANSFERS times
    in all; after that only the DC's office moves the complaint. Its outstanding directions go along."""
    return _act(con, user, complaint_id, expected_version, Action.FORWARD, now, _forwarding(to_department),
                _text(remark, "remark", required=True))


def upload_store(settings: Settings) -> uploads.UploadStore:
    return uploads.UploadStore(settings.uploads_dir, settings.uploads_fernet_key)


def file_report(con, user: User, complaint_id: int, expected_version: int, report: str,
                attachment: bytes | None = None, *, store: uploads.UploadStore | None = None,
                now: datetime | None = None) -> Done:
    """The action taken report of the officer's department. It answers that department's open
    directions; when no department owes a report any more the complaint is action_reported.
    The optional attachment is checked and stored encrypted, like a citizen's upload."""
    moment = _now(now)
    text = _text(report, "report", required=True)
    prepared = uploads.prepare_upload(attachment, "attachment") if attachment else None
    if prepared is not None and store is None:
        raise ValueError("file_report needs the upload store for an attachment")
    stored_name = store.save(prepared.data) if prepared else None

    def plan(cur, snap, target, fresh) -> _Outcome:
        department = fresh.department_code
        document_id = None
        if prepared:
            document_id = casework_db.add_document(cur, snap.id, "atr", stored_name, prepared.content_type,
                                                   prepared.size, prepared.sha256, moment)
        casework_db.add_action_report(cur, snap.id, department, text, document_id, fresh.username, moment)
        casework_db.mark_directions_reported(cur, snap.id, department, moment)
        return _Outcome(event=CaseEvent.REPORT_FILED, code=department, detail=department)
    try:
        return _act(con, user, complaint_id, expected_version, Action.FILE_REPORT, moment, plan)
    except BaseException:
        if stored_name:
            store.delete(stored_name)         # nothing refers to it: the transaction rolled back
        raise


def resolve(con, user: User, complaint_id: int, expected_version: int, remark: str = "", *, track_url: str,
            now: datetime | None = None) -> Done:
    """Resolved: the citizen is asked by SMS to say on the track page whether it really is."""
    moment = _now(now)

    def plan(cur, snap, target, fresh) -> _Outcome:
        return _Outcome(changes={"resolved_at": moment}, sms="resolved_feedback",
                        sms_variables={"track_url": track_url})
    return _act(con, user, complaint_id, expected_version, Action.RESOLVE, moment, plan, _text(remark, "remark"))


def send_back(con, user: User, complaint_id: int, expected_version: int, remark: str,
              report_by: date | None = None, *, now: datetime | None = None) -> Done:
    """The report is not enough: back to the complaint's department with a new direction (the remark,
    due by `report_by`, SEND_BACK_DAYS from today unless given)."""
    moment = _now(now)
    text = _text(remark, "remark", required=True)
    due = report_by or moment.date() + timedelta(days=SEND_BACK_DAYS)
    if not moment.date() <= due <= moment.date() + timedelta(days=DIRECTION_WITHIN_DAYS):
        raise InvalidInput(Problem("report_by", "casework.report_by_range", {"days": DIRECTION_WITHIN_DAYS}))

    def plan(cur, snap, target, fresh) -> _Outcome:
        casework_db.add_direction(cur, snap.id, snap.department_code, text, due, fresh.username, moment)
        return _Outcome(detail=f"report by {due.isoformat()}")
    return _act(con, user, complaint_id, expected_version, Action.SEND_BACK, moment, plan, text)


def close(con, user: User, complaint_id: int, expected_version: int, remark: str = "", *,
          now: datetime | None = None) -> Done:
    return _act(con, user, complaint_id, expected_version, Action.CLOSE, now, None, _text(remark, "remark"))


# ---- the citizen's word after resolution ----

def _reopening(cur, snap, target, fresh) -> _Outcome:
    return _Outcome(event=CaseEvent.REOPENED, changes={"resolved_at": None}, sms="reopened")


def record_feedback(con, citizen: Citizen, complaint_id: int, expected_version: int, answer: Feedback | str, *,
                    now: datetime | None = None) -> Done:
    """Solved / partly / not solved, once per resolution and within 30 days of it. "Not solved"
    reopens the complaint; the history keeps the resolution, the answer and the reopening."""
    moment = _now(now)
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
            casework_db.add_feedback(cur, snap.id, answer, moment)
            casework_db.add_event(cur, snap.id, moment, CITIZEN, CaseEvent.FEEDBACK, snap.status, snap.status,
                                  answer, True)
            audit.record(cur, CITIZEN, "complaint.feedback", snap.tracking_no, answer, moment)
            if answer == Feedback.NOT_SOLVED:
                return _step(cur, citizen, complaint_id, expected_version, Action.REOPEN, moment, _reopening)
            # An answer that changes no status needs no version check: it cannot overwrite anything.
            return Done(snap.tracking_no, snap.status, snap.version)
    return retrying(work)


def reopen_by_citizen(con, citizen: Citizen, complaint_id: int, expected_version: int, *,
                      now: datetime | None = None) -> Done:
    """The citizen says the problem is not solved: reopened, back with the department."""
    return record_feedback(con, citizen, complaint_id, expected_version, Feedback.NOT_SOLVED, now=now)


# ---- bulk actions: all or nothing ----

def _bulk(con, user: User, items: Sequence[tuple[int, int]], now: datetime | None, steps) -> list[Done]:
    moment = _now(now)
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
    text = _text(remark, "remark", required=True)
    plan = _forwarding(to_department)
    return _bulk(con, user, items, now, lambda cur, cid, version, moment: _step(
        cur, user, cid, version, Action.FORWARD, moment, plan, text))


def bulk_close_duplicates(con, user: User, items: Sequence[tuple[int, int]], of_tracking_no: str, remark: str = "",
                          *, now: datetime | None = None) -> list[Done]:
    """Reject every selected complaint as a duplicate of `of_tracking_no`, or none of them. A complaint
    not yet under scrutiny is first taken into scrutiny, so each step is one the lifecycle allows."""
    original_no = normalise_tracking_number(of_tracking_no)
    text = _text(remark, "remark")
    note = f"{original_no}: {text}" if text else original_no
    plan = _rejection(RejectionReason.DUPLICATE)

    def steps(cur, cid, version, moment) -> Done:
        original = casework_db.snapshot_for_user(cur, _server_user(cur, user), original_no) if original_no else None
        if original is None:
            raise InvalidInput(Problem("original", "casework.original_not_found"))
        if original.id == cid:
            raise InvalidInput(Problem("original", "casework.duplicate_of_itself"))
        snap = casework_db.snapshot_for_user(cur, _server_user(cur, user), cid)
        if snap is not None and snap.version == version and snap.status == Status.SUBMITTED:
            version = _step(cur, user, cid, version, Action.START_SCRUTINY, moment, _plain).version
        return _step(cur, user, cid, version, Action.REJECT, moment, plan, note)
    return _bulk(con, user, items, now, steps)


# ---- reading a case ----

def find_case(con, user: User, ref: int | str) -> Case | None:
    """The case file by id or tracking number (as typed), if this user may see it."""
    if isinstance(ref, str):
        ref = normalise_tracking_number(ref)
        if ref is None:
            return None
    with con.cursor() as cur:
        return casework_db.load_case(cur, user, ref)


def state_of(case: Case) -> ComplaintState:
    return ComplaintState(Status(case.status), case.department_code, case.transfers, case.resolved_at,
                          case.open_directions)


def history_rows(case: Case, language: str, departments: dict[str, tuple[str, str]]) -> list[tuple[str, str, str, str]]:
    """(when, who, what, remark) for the officers' timeline: the full internal history, an action's
    remark shown on the action's own line."""
    rows: list[list[str]] = []
    last_key = None
    for h in case.history:
        key = (h.happened_at, h.actor)
        if h.event == CaseEvent.REMARK and rows and key == last_key and not rows[-1][3]:
            rows[-1][3] = h.remark or ""
            continue
        coded = h.event in casework_db.CODED_EVENTS
        who = t(language, "casework.actor_citizen") if h.actor == CITIZEN else h.actor
        rows.append([format_time(h.happened_at), who,
                     event_label(language, h.event, h.to_status, h.remark if coded else None, departments=departments),
                     "" if coded else (h.remark or "")])
        last_key = key
    return [tuple(r) for r in rows]


def is_overdue(report_by: date, reported_at: datetime | None, today: date) -> bool:
    """A direction is overdue once its report-back date has passed without a report."""
    return reported_at is None and report_by < today


def load_document(con, store: uploads.UploadStore, user: User, complaint_id: int,
                  document_id: int) -> tuple[DocumentInfo, bytes] | None:
    """A photo or an action taken report's attachment, decrypted, if the user may see the complaint."""
    with con.cursor() as cur:
        info = casework_db.document_of(cur, user, complaint_id, document_id, ("photo", "atr"))
    return (info, store.load(info.stored_name)) if info else None


_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


def download_name(stem: str, info: DocumentInfo) -> str:
    """A name for a downloaded copy: ours, never the uploader's filename."""
    return f"{stem}.{_EXTENSIONS.get(info.content_type, 'bin')}"


def open_id_document(con, store: uploads.UploadStore, user: User, complaint_id: int, *,
                     now: datetime | None = None) -> tuple[DocumentInfo, bytes]:
    """The citizen's ID document, for the DC's office only; every opening is written to the audit trail
    in the same call, before the file is handed over."""
    moment = _now(now)
    with transaction(con) as cur:
        fresh = users_db.get_user(cur, user.username)
        if fresh is None or not fresh.active or fresh.role != Role.DC:
            raise NotAllowed("casework.id_document_dc_only")
        info = casework_db.document_of(cur, fresh, complaint_id, None, ("id_proof",))
        if info is None:
            raise ComplaintNotFound(complaint_id)
        data = store.load(info.stored_name)
        tracking_no = casework_db.snapshot_for_user(cur, fresh, complaint_id).tracking_no
        audit.record(cur, fresh.username, "id_document.opened", tracking_no,
                     f"opened ID document #{info.id}", moment)
    return info, data
